// Package archtest holds the import-boundary test that keeps the
// dependency direction of DESIGN.md section 2 true: a change that makes a
// package import upward, or pulls a client library into the engine, fails
// CI instead of drifting.
//
// # Rules
//
// Each rule names a layer by import-path prefix, the Eddy layers it may
// depend on (transitively), and the external modules it must never reach.
// The rules table in imports_test.go is the executable form of the arrows
// in DESIGN.md; change both together.
package archtest
