//! Runs every command of lessons/03-tcp-echo.md as written (see crates/testkit/src/lesson.rs).

#[test]
fn lesson_03_commands_run_as_written() {
    testkit::lesson::LessonRun::new(env!("CARGO_MANIFEST_DIR"), "lessons/03-tcp-echo.md")
        .ports(&[8899, 9999])
        .run();
}
