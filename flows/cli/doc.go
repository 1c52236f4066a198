// Package cli holds the eddy command's cobra subcommands, one per file
// (newXCmd). cmd/eddy only calls Main.
//
// # Commands
//
//	eddy version                 build and Go version
//	eddy head FILE               schema and first rows of any supported file
//	eddy convert IN OUT          format by extension, with progress on a terminal
//	eddy quickstart              the end-to-end demo on embedded defaults
//
// Output goes to the writers given to Main, never to os.Stdout directly,
// so tests run commands in-process.
package cli
