// The `mis` executable: see `MISTool` and `Docs/cli.md`.
MISTool.main()
