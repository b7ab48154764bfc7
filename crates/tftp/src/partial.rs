//! A file written under a hidden name and given its real name only when complete.
//!
//! Both ends of a transfer write what they receive this way: the server an upload, the
//! client a download. Until the last block has arrived, nobody sees half a file under
//! the real name; a failed or interrupted transfer leaves nothing behind (the hidden
//! file is removed when the [`PartialFile`] is dropped uncommitted). The final step is
//! one `rename` within the same directory, which the file system does atomically: a
//! reader sees the old file or the new one, never a mix.
//!
//! What differs between the two ends is *where* the names live, a [`Place`]: the server
//! creates, renames and removes relative to a directory it holds open below its root
//! ([`crate::root::Directory`]: no path is looked up twice, so no symlink swapped in
//! between can lead it outside), and the client works beside the target's path, under
//! the lock of its [`crate::client::Interrupt`] so a Ctrl-C and the final rename never
//! cross.

use std::fs::File;

/// Where a partial file lives, and the three things done there.
pub trait Place {
    /// How the hidden file is named (a name in a directory, or a path).
    type Name;
    /// The error these steps report.
    type Error;
    /// Creates a new, empty file under a hidden name nothing else uses.
    fn create_hidden(&mut self) -> Result<(File, Self::Name), Self::Error>;
    /// Gives the hidden file its final name (the place knows which).
    fn rename_to_final(&mut self, hidden: &Self::Name) -> Result<(), Self::Error>;
    /// Removes the hidden file of a transfer that did not complete. Best effort: there is
    /// nobody left to tell.
    fn remove_hidden(&mut self, hidden: &Self::Name);
}

/// A transfer's file while it is written: hidden, then committed by rename, or removed.
pub struct PartialFile<P: Place> {
    place: P,
    hidden: P::Name,
    file: File,
    committed: bool,
}

impl<P: Place> PartialFile<P> {
    /// Creates the hidden file in `place`.
    pub fn create(mut place: P) -> Result<PartialFile<P>, P::Error> {
        let (file, hidden) = place.create_hidden()?;
        Ok(PartialFile {
            place,
            hidden,
            file,
            committed: false,
        })
    }

    /// The open file to write into.
    pub fn file(&mut self) -> &mut File {
        &mut self.file
    }

    /// The hidden name it is written under.
    pub fn hidden(&self) -> &P::Name {
        &self.hidden
    }

    /// Gives the complete file its final name. On failure the hidden file is removed.
    pub fn commit(mut self) -> Result<(), P::Error> {
        self.place.rename_to_final(&self.hidden)?;
        self.committed = true;
        Ok(())
    }
}

impl<P: Place> Drop for PartialFile<P> {
    fn drop(&mut self) {
        if !self.committed {
            self.place.remove_hidden(&self.hidden);
        }
    }
}
