import ADECommands
import ArgumentParser

/// The `ade` executable: everything lives in `ADECommands`; this only starts it.
@main
struct Entrypoint {
    static func main() async {
        await ADE.main()
    }
}
