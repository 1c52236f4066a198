// Package modelio saves stages and fitted pipelines and loads them back
// through the kind registry.
//
// # Layout
//
// A saved stage is a directory:
//
//	metadata.json        format_version, eddy_version, kind, type, timestamp, params, data, stages
//	data-0.arrow ...     the model data (Model.ModelData), one Arrow IPC file per record
//	stages/00-kind/ ...  each child stage of a pipeline, with the same layout
//
// Params are saved by name with every value, defaults included, so a
// model loads the same even if a default changes later. The model version
// travels in the data files' schema metadata.
//
// # Single file
//
// SaveFile writes the same layout as one uncompressed POSIX tar archive
// (metadata.json first); `tar xf model.tar` gives the directory form. Tar
// was chosen over zip because it is written in one pass and is readable
// by standard tools; Load reads it whole into memory, since Arrow IPC
// files need random access. Save and Load pick the form by the ".tar"
// extension and by what the path is.
//
// # Atomicity
//
// Writes go to a temporary directory or file beside the target, every
// file and directory is fsynced, and the result is renamed into place, so
// a crash leaves either the old content or the new one.
//
// # Errors
//
// Load names the file at fault: a missing file, a corrupted or truncated
// archive or Arrow IPC file (a panic in the Arrow decoder is recovered),
// metadata from a newer format version (ErrNewerFormat), an unknown kind
// (registry.ErrUnknownKind) or an invalid param. Entries that would
// escape the saved directory are rejected.
package modelio
