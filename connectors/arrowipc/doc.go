// Package arrowipc reads and writes Apache Arrow IPC data (kind "arrow",
// extensions ".arrow", ".arrows", ".ipc" and ".feather"). Importing it
// registers the format with connectors.
//
// # Layouts
//
// Create writes the random-access file format (what ".arrow", ".ipc" and
// Feather v2 ".feather" files hold) except for ".arrows" names, which get
// the stream format (the IANA-registered extension for Arrow streams);
// WriterOptions.Stream forces the stream format for any name. Writing is
// atomic (temporary file, fsync, rename on Close); buffers are
// uncompressed by default, LZ4 or Zstd on request. The reader sniffs the
// layout from the first bytes ("ARROW1" opens a file), so any extension
// reads either layout.
//
// # Reading and seeking
//
// Batches are the file's record batches, sliced without copying to at
// most ReadOptions.BatchSize rows; small batches are not merged. In the
// file format SeekRow jumps to the batch holding the row using the row
// counts of the batches before it, learned by reading each of them once
// and remembered. A stream is read forward, and reopened from the start to
// seek backward.
//
// # Corrupt input
//
// Every batch is checked before it is handed out (buffer sizes against
// lengths, monotonic offsets within their data); types the check does not
// cover (string and list views, unions, dictionaries, run-end encoded)
// are refused with an error. The flatbuffer metadata (footer, schema,
// batch headers) is verified before the ipc package reads it, panics inside the ipc
// package are recovered into errors naming the file, and stream messages
// are read with buffers that grow as bytes arrive, so a corrupt length
// fails at the end of input instead of allocating what it claims. In the
// file format allocations are capped at 64 times the file size.
package arrowipc
