//! Compiles every `.slint` file through one root, `ui/main.slint`.
fn main() {
    // Debug info names each element, so tests (and screen readers) find widgets by their
    // accessible labels.
    let config = slint_build::CompilerConfiguration::new()
        .with_style("fluent-light".into())
        .with_debug_info(true);
    slint_build::compile_with_config("ui/main.slint", config).expect("the .slint files compile");
}
