//! Runs every command of lessons/05-arp-dns-walkthrough.md as written (see crates/testkit/src/lesson.rs).

#[test]
fn lesson_05_commands_run_as_written() {
    testkit::lesson::LessonRun::new(
        env!("CARGO_MANIFEST_DIR"),
        "lessons/05-arp-dns-walkthrough.md",
    )
    .ports(&[5300])
    .paths(&["/tmp/netlab-05"])
    .run();
}
