// Package checkpoint stores the checkpoints of Eddy's stream engine: one
// file per operator or sink subtask and a manifest written last, so that a
// checkpoint exists only once it is complete.
//
// # Storage
//
// Storage is the pluggable interface (Begin, WriteFile, Commit, Latest,
// ReadFile). Dir keeps checkpoint n in DIR/chk-<n>/: every file is written
// to a temporary name, fsynced, renamed and the directory fsynced; the
// manifest (_manifest.json) goes last. A crash at any point leaves the
// previous complete checkpoint readable, and Latest skips directories
// without a manifest. Commit keeps the newest K complete checkpoints and
// deletes older ones and abandoned partial ones. Memory is the in-process
// implementation used by jobs that only recover in place.
//
// # Formats
//
// The manifest is JSON: id, job, time, max key groups, source offsets per
// source subtask, and per operator its parallelism and one file per
// subtask. A subtask file (SubtaskState) is binary: a magic, the
// operator's own snapshot bytes, the key columns' Arrow schema, the keyed
// state by key group, and a CRC-32C of the whole; UnmarshalSubtaskState
// can skip the key groups a restoring subtask does not own.
package checkpoint
