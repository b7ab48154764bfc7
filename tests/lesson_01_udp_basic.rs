//! Runs every command of lessons/01-udp-basic.md as written (see crates/testkit/src/lesson.rs).

#[test]
fn lesson_01_commands_run_as_written() {
    testkit::lesson::LessonRun::new(env!("CARGO_MANIFEST_DIR"), "lessons/01-udp-basic.md")
        .ports(&[7788])
        .run();
}
