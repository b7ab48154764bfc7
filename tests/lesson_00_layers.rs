//! Runs every command of lessons/00-layers.md as written (see crates/testkit/src/lesson.rs).

#[test]
fn lesson_00_commands_run_as_written() {
    testkit::lesson::LessonRun::new(env!("CARGO_MANIFEST_DIR"), "lessons/00-layers.md")
        .ports(&[7788])
        .run();
}
