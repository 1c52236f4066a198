// Package state is the keyed state of Eddy's stream engine: the key codec
// shared by hash partitioning and state, per-key value, list and map
// states, event- and processing-time timers, and their snapshots.
//
// # Keys and key groups
//
// A KeyCodec turns the key columns of an Arrow batch into per-row hashes
// and byte keys (exact, self-describing: HashKey recomputes a row's hash
// from its key alone) and DecodeKey turns keys back into Arrow columns for
// output. A key's group is hash mod maxKeyGroups (KeyGroup); a keyed
// operator subtask owns a contiguous range of groups (KeyGroupRange,
// SubtaskOf as in Flink), and state is stored by group, so a job restored
// at another parallelism hands every subtask the groups it now owns.
//
// # States
//
// A Backend holds the state of one keyed operator subtask. Handles are
// registered by name with a Codec for their type (Int64, Float64, String,
// Bytes, Float64s, Gob, or your own):
//
//	sum, err := state.NewValueState(b, "sum", state.Float64)
//	...
//	b.SetCurrentKey(key) // the stream engine does this for you
//	v, _ := sum.Get()
//	sum.Set(v + x)
//
// Every handle call reads and writes the current key's entry; calling one
// with no current key panics (the stream engine turns it into the
// operator's error). ValueState, ListState and MapState are kept as Go
// values (no encoding on the hot path); codecs run at snapshot and restore.
//
// Operators that keep state in their own layout (columnar accumulators
// indexed by key hash, say) implement Table and RegisterTable it: the
// backend asks it for per-key-group payloads at each snapshot and hands
// it the restored groups it owns, so it rescales like handle state.
// KeyCodec.HashDeterminesKey tells when a hash alone identifies a
// fixed-width key.
//
// # Timers
//
// RegisterTimer(domain, ts) sets a timer for the current key, one per
// (key, time); FireTimers pops due timers earliest first (ties by key) with
// their key set as current key, so a window operator registers the end of
// each window and emits it when the watermark passes.
//
// # Snapshots
//
// Backend.Snapshot returns key group -> bytes holding every state's entries
// and the timers of the group:
//
//	uvarint #states, then per state: name, kind byte (1 value, 2 list,
//	  3 map, 4 table), payload
//	  (handles: uvarint #keys, then key and the codec's bytes, length-prefixed;
//	  tables: their own bytes)
//	uvarint #timers, then per timer: domain byte, varint time, key
//
// Restore accepts the groups of any number of old subtasks and keeps the
// ones it owns; states are decoded when their handle is registered, and
// carried over unchanged until then.
package state
