//! Runs every command of lessons/02-udp-bind.md as written (see crates/testkit/src/lesson.rs).
#[test]
fn lesson_02_commands_run_as_written() {
    testkit::lesson::LessonRun::new(env!("CARGO_MANIFEST_DIR"), "lessons/02-udp-bind.md")
        .ports(&[7788, 8899, 5555])
        .names(&["nl2-h1", "nl2-h2", "nl2-veth1", "nl2-veth2"])
        .run();
}
