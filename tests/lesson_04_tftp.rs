//! Runs every command of lessons/04-tftp.md as written (see crates/testkit/src/lesson.rs).
#[test]
fn lesson_04_commands_run_as_written() {
    testkit::lesson::LessonRun::new(env!("CARGO_MANIFEST_DIR"), "lessons/04-tftp.md")
        .ports(&[6969, 6970, 6971, 6972, 6973, 6974, 6975, 6976])
        .paths(&["/tmp/netlab-04"])
        .run();
}
