//! Text to bytes and back in a chosen encoding, refusing what the encoding cannot say.

use std::fmt;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE};

/// One text encoding, chosen by a WHATWG label.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TextEncoding {
    encoding: &'static Encoding,
}

impl fmt::Debug for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TextEncoding({})", self.name())
    }
}

impl Default for TextEncoding {
    /// UTF-8, the encoding Python 3 uses when you call `.encode()` with no argument.
    fn default() -> Self {
        TextEncoding::UTF_8
    }
}

/// The label was not one of the WHATWG encoding labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownEncoding {
    /// The label as the user typed it.
    pub label: String,
}

impl fmt::Display for UnknownEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown encoding '{}': use a WHATWG label such as utf-8, gbk, gb18030, big5 or shift_jis",
            self.label
        )
    }
}

impl std::error::Error for UnknownEncoding {}

/// Why a text could not be turned into bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncodeError {
    /// The encoding has no bytes for this character (for example `😀` in GBK).
    Unmappable {
        /// The character that has no representation.
        character: char,
        /// Its position in the text, counted in characters from 0.
        position: usize,
        /// The encoding's name, as `TextEncoding::name` gives it.
        encoding: &'static str,
    },
    /// The encoding can only be decoded, never produced (the WHATWG "replacement"
    /// encoding that labels such as `iso-2022-kr` map to).
    DecodeOnly {
        /// The encoding's name.
        encoding: &'static str,
    },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::Unmappable {
                character,
                position,
                encoding,
            } => write!(
                f,
                "{encoding} cannot encode '{character}' (U+{:04X}, character {position} of the message): \
                 try --encoding utf-8 or gb18030, which cover all of Unicode",
                u32::from(*character)
            ),
            EncodeError::DecodeOnly { encoding } => {
                write!(f, "{encoding} can only be decoded, not used to send text")
            }
        }
    }
}

impl std::error::Error for EncodeError {}

/// The result of decoding bytes into text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, with U+FFFD where the bytes were not valid in the encoding.
    pub text: String,
    /// True when at least one U+FFFD replaced invalid bytes.
    pub had_errors: bool,
}

impl TextEncoding {
    /// UTF-8.
    pub const UTF_8: TextEncoding = TextEncoding {
        encoding: encoding_rs::UTF_8,
    };

    /// Looks up a WHATWG label (case and surrounding spaces do not matter).
    pub fn for_label(label: &str) -> Result<TextEncoding, UnknownEncoding> {
        Encoding::for_label(label.trim().as_bytes())
            .map(|encoding| TextEncoding { encoding })
            .ok_or_else(|| UnknownEncoding {
                label: label.to_string(),
            })
    }

    /// The encoding's canonical name, for example `UTF-8`, `GBK`, `gb18030`, `Big5`.
    pub fn name(&self) -> &'static str {
        self.encoding.name()
    }

    /// Turns text into the bytes that go on the wire.
    pub fn encode(&self, text: &str) -> Result<Vec<u8>, EncodeError> {
        // encoding_rs follows the web platform, where a form is never sent as UTF-16:
        // its encoder writes UTF-8 for those two. A socket may want real UTF-16.
        if self.encoding == UTF_16LE {
            return Ok(text.encode_utf16().flat_map(u16::to_le_bytes).collect());
        }
        if self.encoding == UTF_16BE {
            return Ok(text.encode_utf16().flat_map(u16::to_be_bytes).collect());
        }
        if self.encoding.output_encoding() != self.encoding {
            return Err(EncodeError::DecodeOnly {
                encoding: self.name(),
            });
        }
        let mut encoder = self.encoding.new_encoder();
        let capacity = encoder
            .max_buffer_length_from_utf8_without_replacement(text.len())
            .unwrap_or(text.len() * 4 + 16);
        let mut bytes = Vec::with_capacity(capacity);
        let (result, read) =
            encoder.encode_from_utf8_to_vec_without_replacement(text, &mut bytes, true);
        match result {
            encoding_rs::EncoderResult::InputEmpty => self.refuse_look_alikes(text, bytes),
            encoding_rs::EncoderResult::Unmappable(reported) => {
                // `read` counts the bytes consumed, up to and including the character
                // that failed, so that character is the last one read. It is not always
                // `reported`: ISO-2022-JP reports the ESC it refuses as U+FFFD.
                let consumed = text.get(..read).unwrap_or(text);
                let (at, character) = consumed.char_indices().last().unwrap_or((0, reported));
                Err(EncodeError::Unmappable {
                    character,
                    position: consumed[..at].chars().count(),
                    encoding: self.name(),
                })
            }
            // The vector was sized for the worst case above, and the function grows it
            // when that bound is unknown, so the output never runs out of room.
            encoding_rs::EncoderResult::OutputFull => Ok(bytes),
        }
    }

    /// A few web encoders quietly send a look-alike for a character they lack: Shift_JIS
    /// and EUC-JP send `¥` as the byte of `\` and `−` as `－`, ISO-2022-JP sends
    /// half-width katakana as full-width. Decoding what we would send shows them, and the
    /// first character that does not come back is refused like any other.
    fn refuse_look_alikes(&self, text: &str, bytes: Vec<u8>) -> Result<Vec<u8>, EncodeError> {
        let decoded = self.decode(&bytes);
        if decoded.text == text {
            return Ok(bytes);
        }
        let mut received = decoded.text.chars();
        for (position, character) in text.chars().enumerate() {
            if received.next() != Some(character) {
                return Err(EncodeError::Unmappable {
                    character,
                    position,
                    encoding: self.name(),
                });
            }
        }
        // The text came back with more after it: the last character is the one changed.
        Err(EncodeError::Unmappable {
            character: text.chars().last().unwrap_or('\u{fffd}'),
            position: text.chars().count().saturating_sub(1),
            encoding: self.name(),
        })
    }

    /// Turns received bytes into text; invalid bytes become U+FFFD.
    ///
    /// A byte order mark is not treated specially: what you receive is what you see.
    pub fn decode(&self, bytes: &[u8]) -> Decoded {
        let (text, had_errors) = self.encoding.decode_without_bom_handling(bytes);
        Decoded {
            text: text.into_owned(),
            had_errors,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;

    #[test]
    fn nihao_in_utf8_is_six_bytes() {
        let bytes = TextEncoding::UTF_8.encode("你好").unwrap();
        assert_eq!(hex(&bytes), "e4 bd a0 e5 a5 bd");
    }

    #[test]
    fn gb2312_label_means_gbk() {
        let encoding = TextEncoding::for_label(" GB2312 ").unwrap();
        assert_eq!(encoding.name(), "GBK");
        assert_eq!(hex(&encoding.encode("你好").unwrap()), "c4 e3 ba c3");
    }

    #[test]
    fn gb18030_encodes_what_gbk_cannot() {
        let gbk = TextEncoding::for_label("gbk").unwrap();
        let error = gbk.encode("hi 😀").unwrap_err();
        assert_eq!(
            error,
            EncodeError::Unmappable {
                character: '😀',
                position: 3,
                encoding: "GBK"
            }
        );
        let gb18030 = TextEncoding::for_label("gb18030").unwrap();
        // GB18030 four-byte form of U+1F600 (Python: "😀".encode("gb18030")).
        assert_eq!(hex(&gb18030.encode("😀").unwrap()), "94 39 fc 36");
    }

    #[test]
    fn escape_in_iso_2022_jp_is_unmappable_not_a_panic() {
        // Found by fuzzing: ISO-2022-JP refuses ESC (it would start an escape sequence)
        // but reports it as U+FFFD, three bytes where ESC is one.
        let encoding = TextEncoding::for_label("iso-2022-jp").unwrap();
        let unmappable = |text: &str| match encoding.encode(text) {
            Err(EncodeError::Unmappable {
                character,
                position,
                ..
            }) => (character, position),
            other => panic!("{text:?} gave {other:?}"),
        };
        assert_eq!(unmappable("\u{1b}(J"), ('\u{1b}', 0));
        assert_eq!(unmappable("アa\u{1b}"), ('\u{1b}', 2));
    }

    #[test]
    fn look_alike_substitutions_are_unmappable() {
        // Found by fuzzing: the web's Shift_JIS encoder sends ¥ as 5c, which every
        // decoder reads back as a backslash, so "¥100" would arrive as "\100".
        let shift_jis = TextEncoding::for_label("shift_jis").unwrap();
        assert!(matches!(
            shift_jis.encode("ab¥100"),
            Err(EncodeError::Unmappable {
                character: '¥',
                position: 2,
                ..
            })
        ));
        // ISO-2022-JP has no half-width katakana: its encoder sends the full-width one.
        let iso_2022_jp = TextEncoding::for_label("iso-2022-jp").unwrap();
        assert!(matches!(
            iso_2022_jp.encode("ｱ"),
            Err(EncodeError::Unmappable {
                character: 'ｱ', ..
            })
        ));
        assert_eq!(shift_jis.encode("ア\\").unwrap(), [0x83, 0x41, 0x5c]);
    }

    #[test]
    fn unknown_label_is_an_error_naming_it() {
        let error = TextEncoding::for_label("klingon").unwrap_err();
        assert!(error.to_string().contains("'klingon'"));
    }

    #[test]
    fn utf16_really_encodes_utf16() {
        let le = TextEncoding::for_label("utf-16le").unwrap();
        assert_eq!(le.encode("A你").unwrap(), [0x41, 0x00, 0x60, 0x4f]);
        let be = TextEncoding::for_label("utf-16be").unwrap();
        assert_eq!(be.encode("A").unwrap(), [0x00, 0x41]);
    }

    #[test]
    fn replacement_encoding_cannot_send() {
        let replacement = TextEncoding::for_label("iso-2022-kr").unwrap();
        assert!(matches!(
            replacement.encode("x"),
            Err(EncodeError::DecodeOnly { .. })
        ));
    }

    #[test]
    fn gbk_bytes_read_as_utf8_are_replaced_and_flagged() {
        let decoded = TextEncoding::UTF_8.decode(&[0xc4, 0xe3, 0xba, 0xc3]);
        assert!(decoded.had_errors);
        assert!(decoded.text.contains('\u{FFFD}'));
    }

    #[test]
    fn utf8_bytes_read_as_gbk_are_mojibake_without_errors() {
        let gbk = TextEncoding::for_label("gbk").unwrap();
        let decoded = gbk.decode(&[0xe4, 0xbd, 0xa0, 0xe5, 0xa5, 0xbd]);
        assert_eq!(decoded.text, "浣犲ソ");
        assert!(!decoded.had_errors);
    }
}
