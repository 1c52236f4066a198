package examples

import "embed"

// Files holds the example flow files, so that tests can check them all.
//
//go:embed *.yaml
var Files embed.FS

// QuickstartYAML is the quickstart flow file, which eddy quickstart writes
// into its directory and runs.
//
//go:embed quickstart.yaml
var QuickstartYAML []byte

// ProductionYAML is the Redis-backed production flow file.
//
//go:embed production.yaml
var ProductionYAML []byte
