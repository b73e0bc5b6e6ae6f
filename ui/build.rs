//! Compiles every `.slint` file through one root, `ui/main.slint`.
fn main() {
    // Debug info names each element, so tests (and screen readers) find widgets by their
    // accessible labels.
    // Texts are written in Indonesian in the .slint files (`@tr("...")`); the English comes
    // from `lang/en/LC_MESSAGES/antre-ui.po`, bundled into the binary. No context: a text
    // reads the same in every component.
    let config = slint_build::CompilerConfiguration::new()
        .with_style("fluent-light".into())
        .with_debug_info(true)
        .with_bundled_translations(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("lang"))
        .with_default_translation_context(slint_build::DefaultTranslationContext::None);
    println!("cargo:rerun-if-changed=lang");
    slint_build::compile_with_config("ui/main.slint", config).expect("the .slint files compile");
}
