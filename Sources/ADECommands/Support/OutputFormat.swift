import ArgumentParser

/// `--format json|text`: machine-readable output, or lines for a person.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case json, text
}
