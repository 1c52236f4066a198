// Package modelstore is Eddy's model registry: named models with
// monotonically numbered versions, lifecycle stages, aliases and an
// ordered event log, on an embedded (file) or a Redis backend.
//
// # Model
//
// Create stores a blob (usually a pipeline saved by modelio.SaveFile as a
// .tar; PutStage and LoadStage do both steps) as the next version of a
// model: 1, 2, 3... assigned by the store, atomically across goroutines
// and processes, never reused after a delete. Each version carries an
// Info (description, params, metrics, lineage: flow run, data source,
// parent version), the blob's size and SHA-256 (checked on every read:
// ErrCorrupt), its Stage and the aliases that point at it.
//
// # Stages
//
//	generated -> validated | rejected
//	validated -> deployed | deprecated | rejected
//	deployed  -> deprecated
//	deprecated -> deployed      (rollback)
//	rejected: final
//
// Other moves fail with ErrInvalidTransition naming both stages and the
// allowed ones; moving to the current stage is a no-op, so retries are
// safe. Deploying a version deprecates the model's other deployed
// versions in the same atomic change unless StageOptions.KeepOthers is
// set. Delete refuses deployed or aliased versions (ErrInUse); GC removes
// all but the last GCPolicy.KeepLast versions, keeping deployed and
// aliased ones.
//
// # Events
//
// Every change appends events (model.created, model.validated,
// model.deployed, model.deprecated, model.rejected, model.deleted,
// alias.set, alias.deleted) numbered 1, 2, 3... over the whole store,
// without gaps, in the same atomic step as the change. Events reads a
// page, Watch blocks until there is one, Ack/Cursor keep a durable
// cursor per named subscriber, and Subscription wraps them: a subscriber
// that acks after handling each event sees it exactly once across
// restarts.
//
// # Embedded backend (file://DIR)
//
// Blobs stream to a temporary directory and are fsynced before any lock
// is taken. A change then runs under a mutex plus flock(2) on DIR/.lock:
// it writes a redo journal (temp file, fsync, rename), applies it
// (renaming the version directory into place, replacing small JSON files
// atomically, one file per event) and removes it; the next change or
// Open replays a journal a crashed process left. So after kill -9 a
// version is either absent or complete, with its event, and numbering
// continues. Reads take no lock. Watch wakes at once for changes made
// through the same FileStore and polls (Options.PollInterval) for other
// processes'. Needs a unix system.
//
// # Redis backend (redis://host:port/db)
//
// Metadata lives in hashes, numbering in INCR counters, events in a
// stream whose entry IDs are 0-SEQ, cursors in a hash, and blobs in
// 512 KiB chunk keys that carry a TTL until published. Each change is
// one Lua script (atomic, emitting its events); Create's script checks
// that every chunk exists before the version becomes visible, so a
// connection lost mid-upload leaves only expiring chunks, never a torn
// version. Calls that lose the connection are retried with bounded,
// context-aware exponential backoff (Options.Retry) and then fail with
// ErrUnavailable; retried writes are idempotent (Create by upload id,
// stage and alias changes by being no-ops when repeated). Watch uses
// XREAD BLOCK. go-redis's own retries are turned off.
//
// # URLs
//
// Open picks the backend by scheme: file://DIR (relative to the working
// directory; DefaultURL is file://.eddy; file:///abs/path) or
// redis://[user:pass@]host:port/db[?prefix=...] (rediss:// for TLS).
package modelstore
