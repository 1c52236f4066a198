// Package ipcsafe checks untrusted Arrow IPC bytes before and after the
// arrow/go ipc package reads them: arrow/go v17 trusts flatbuffer metadata
// (a corrupt vector length makes it allocate gigabytes, which no recover
// catches) and record bodies (a corrupt offset makes later reads panic).
//
// # Checks
//
// Framed and Message walk a stream-framed message's flatbuffer metadata and
// check every offset and length; BodyLength reads its body size.
// ValidateArray checks a decoded array's buffers and offsets, recursively.
//
// # Provenance
//
// verify.go is a copy of connectors/internal/ipcverify and validate.go of
// pipeline/modelio's validate.go, both unreachable from online/ (internal
// or unexported); a shared module-root internal package should replace the
// three copies.
package ipcsafe
