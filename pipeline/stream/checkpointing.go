package stream

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/eddyml/eddy/pipeline/checkpoint"
	"github.com/eddyml/eddy/pipeline/state"
)

// Snapshotter is the optional ability of an Operator, KeyedOperator or
// SinkWriter with non-keyed state: at checkpoint barrier id (aligned) it
// returns its state as bytes (nil for none). Keyed state and timers need
// no Snapshotter: the engine snapshots them.
type Snapshotter interface {
	Snapshot(ctx context.Context, checkpointID int64) ([]byte, error)
}

// Restorer is the optional ability to restore what Snapshotter returned.
// It is called after Open and before the first batch when the job starts
// from a checkpoint (WithRestoreFrom) or restarts after a failure
// (WithRestartStrategy). checkpointID is the restored checkpoint, 0 when a
// restart found no complete checkpoint (start from scratch). states holds
// the snapshots of the previous run's subtasks j with j mod parallelism =
// this subtask (one state when the parallelism did not change; none when
// there is nothing to restore).
type Restorer interface {
	Restore(ctx context.Context, checkpointID int64, states [][]byte) error
}

// TwoPhaseCommitter is the optional ability of a SinkWriter that publishes
// its output exactly once. At barrier id, PreCommit makes everything
// written since the previous barrier durable but invisible (a pending
// transaction named by id). Commit(id) is called once checkpoint id is
// complete and must publish every pending transaction up to id,
// idempotently. A writer that is also a Snapshotter/Restorer records its
// pending transactions in its snapshot; on Restore it commits the ones the
// restored checkpoint holds and aborts every other pending one. Close at
// the end of a bounded input publishes everything.
type TwoPhaseCommitter interface {
	PreCommit(ctx context.Context, checkpointID int64) error
	Commit(ctx context.Context, checkpointID int64) error
}

// RestartStrategy says how a failed job recovers in place: up to
// MaxAttempts restarts (0 disables recovery), each after Delay, from the
// newest complete checkpoint (or from the start when there is none).
type RestartStrategy struct {
	MaxAttempts int
	Delay       time.Duration
}

// WithRestartStrategy enables recovery in place: when a subtask fails, the
// job stops every subtask, then restarts the whole graph from the latest
// complete checkpoint: keyed state redistributed by key group, operators
// and sinks Restore their snapshots, sources SeekRow to their offsets.
// Sources must be openable again (FromReader's is not).
func WithRestartStrategy(rs RestartStrategy) Option { return func(c *config) { c.restart = rs } }

// WithCheckpointStorage sets where checkpoints are written (default: in
// memory, keeping checkpoint.DefaultRetained; use checkpoint.NewDir for
// checkpoints that survive the process).
func WithCheckpointStorage(s checkpoint.Storage) Option { return func(c *config) { c.storage = s } }

// WithRestoreFrom makes Run start from the newest complete checkpoint in s,
// if any (for instance after the process was killed): pass the same
// storage as WithCheckpointStorage to resume where a previous run stopped.
// The job's graph must have the same node names and source parallelism;
// keyed operators may change parallelism.
func WithRestoreFrom(s checkpoint.Storage) Option { return func(c *config) { c.restore = s } }

// WithClock sets the processing-time clock of timers (default time.Now),
// so tests pin it. With a custom clock the engine checks processing-time
// timers at least every 10ms.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now, c.clockSet = now, true }
}

// CheckpointStats is a snapshot of a job's checkpoint and recovery counters.
type CheckpointStats struct {
	Completed     int64
	LastID        int64
	LastDuration  time.Duration // barrier injection to manifest written
	LastSize      int64         // bytes of subtask files
	TotalDuration time.Duration
	TotalSize     int64
	Restarts      int64
	LastRestore   int64 // checkpoint id of the last restore, 0 for none
}

type ckptCounters struct {
	completed, lastID, lastDur, lastSize, totalDur, totalSize, restarts, lastRestore atomic.Int64
	triggered                                                                        atomic.Int64
}

// CheckpointStats returns the job's checkpoint counters; safe while the job
// runs.
func (j *Job) CheckpointStats() CheckpointStats {
	c := &j.ck
	return CheckpointStats{
		Completed: c.completed.Load(), LastID: c.lastID.Load(),
		LastDuration: time.Duration(c.lastDur.Load()), LastSize: c.lastSize.Load(),
		TotalDuration: time.Duration(c.totalDur.Load()), TotalSize: c.totalSize.Load(),
		Restarts: c.restarts.Load(), LastRestore: c.lastRestore.Load(),
	}
}

// restorePoint is the checkpoint a run starts from.
type restorePoint struct {
	store checkpoint.Storage
	m     *checkpoint.Manifest
}

// subtaskRestore is what one operator or sink subtask restores.
type subtaskRestore struct {
	id        int64
	ops       [][]byte
	groups    map[int][]byte
	keySchema []byte
}

// checkRestore validates a manifest against the job.
func (j *Job) checkRestore(m *checkpoint.Manifest) error {
	if m.MaxKeyGroups != j.cfg.maxKeyGrps {
		return fmt.Errorf("restore checkpoint %d: it has %d key groups, the job %d", m.ID, m.MaxKeyGroups, j.cfg.maxKeyGrps)
	}
	for _, n := range j.nodes {
		if n.kind != kindSource {
			continue
		}
		offs, ok := m.Sources[n.name]
		if !ok {
			return fmt.Errorf("restore checkpoint %d: source %q is not in the checkpoint", m.ID, n.name)
		}
		if len(offs) != n.par {
			return fmt.Errorf("restore checkpoint %d: source %q had parallelism %d, now %d (sources split their input by parallelism)", m.ID, n.name, len(offs), n.par)
		}
	}
	return nil
}

// loadRestore reads what subtask sub of n restores, nil when the run
// starts fresh.
func (r *run) loadRestore(n *node, sub int) (*subtaskRestore, error) {
	if r.from == nil {
		if r.attempt > 0 {
			return &subtaskRestore{}, nil
		}
		return nil, nil
	}
	m := r.from.m
	rs := &subtaskRestore{id: m.ID}
	ns, ok := m.Nodes[n.name]
	if !ok {
		return rs, nil
	}
	keyed := n.newKeyed != nil
	K := r.job.cfg.maxKeyGrps
	lo, hi := state.KeyGroupRange(K, n.par, sub)
	for j, file := range ns.Files {
		if file == "" {
			continue
		}
		needOp := j%n.par == sub
		needKG := false
		if keyed {
			olo, ohi := state.KeyGroupRange(K, ns.Parallelism, j)
			needKG = olo < hi && lo < ohi
		}
		if !needOp && !needKG {
			continue
		}
		data, err := r.from.store.ReadFile(r.ctx, m.ID, file)
		if err != nil {
			return nil, fmt.Errorf("restore checkpoint %d: %w", m.ID, err)
		}
		st, err := checkpoint.UnmarshalSubtaskState(data, func(g int) bool { return g >= lo && g < hi })
		if err != nil {
			return nil, fmt.Errorf("restore checkpoint %d: file %s: %w", m.ID, file, err)
		}
		if needOp && st.Operator != nil {
			rs.ops = append(rs.ops, st.Operator)
		}
		if needKG {
			if rs.keySchema == nil {
				rs.keySchema = st.KeySchema
			}
			for g, b := range st.KeyGroups {
				if rs.groups == nil {
					rs.groups = map[int][]byte{}
				}
				rs.groups[g] = b
			}
		}
	}
	return rs, nil
}

// snapshot stores subtask sub's state for checkpoint id and returns the
// file name ("" when there was nothing to store) and its size.
func (r *run) snapshot(n *node, sub int, id int64, ability any, kc *KeyedContext) (string, int64, error) {
	data, err := r.capture(id, ability, kc)
	if err != nil || data == nil {
		return "", 0, err
	}
	return r.write(n, sub, id, data)
}

// capture encodes the subtask's state for checkpoint id (nil when it has
// none). It runs on the subtask's goroutine, at the aligned barrier.
func (r *run) capture(id int64, ability any, kc *KeyedContext) ([]byte, error) {
	var st checkpoint.SubtaskState
	if s, ok := ability.(Snapshotter); ok {
		var b []byte
		err := safe(r.job.cfg.logger, func() (err error) { b, err = s.Snapshot(r.ctx, id); return err })
		if err != nil {
			return nil, fmt.Errorf("snapshot: %w", err)
		}
		st.Operator = b
	}
	if kc != nil {
		groups, err := kc.backend.Snapshot()
		if err != nil {
			return nil, fmt.Errorf("snapshot keyed state: %w", err)
		}
		st.KeyGroups = groups
		if len(groups) > 0 {
			if st.KeySchema, err = kc.keySchemaBytes(); err != nil {
				return nil, err
			}
		}
	}
	if st.Empty() {
		return nil, nil
	}
	return st.Marshal(), nil
}

// write stores a subtask's encoded state into the checkpoint storage.
func (r *run) write(n *node, sub int, id int64, data []byte) (string, int64, error) {
	name := fmt.Sprintf("node%d-sub%d.state", n.id, sub)
	if err := r.job.cfg.storage.WriteFile(r.ctx, id, name, data); err != nil {
		return "", 0, fmt.Errorf("write snapshot: %w", err)
	}
	return name, int64(len(data)), nil
}

// writeAsync writes an operator subtask's encoded state in a goroutine of
// the run and acknowledges checkpoint id once it is stored, so that the
// operator goes on processing while the file is written and synced. The
// checkpoint completes only when every acknowledgement arrived; one
// checkpoint is in flight at a time, so a subtask has at most one write
// pending. A failed write fails the run.
func (r *run) writeAsync(n *node, sub int, id int64, data []byte) {
	r.bg.Go(func() error {
		file, size, err := r.write(n, sub, id, data)
		if err != nil {
			return fmt.Errorf("%s %q subtask %d/%d: checkpoint %d: %w", n.kind, n.name, sub+1, n.par, id, err)
		}
		return r.ack(ack{id: id, node: n.id, sub: sub, file: file, size: size})
	})
}

// coordinate injects checkpoint barriers every interval, one checkpoint in
// flight at a time; once every subtask acknowledged checkpoint n it writes
// the manifest, notifies the sinks (two-phase commit) and the listener. It
// stops triggering once a source subtask has ended (a finished source
// cannot emit barriers; see endSource), completes the checkpoint in
// flight, then the final checkpoint: every subtask acknowledges it at its
// end of input, after Finish. An error (the storage failed) fails the run.
func (r *run) coordinate(ctx context.Context) error {
	t := time.NewTicker(r.job.cfg.interval)
	defer t.Stop()
	st := r.job.cfg.storage
	var early []ack // acknowledgements of the final checkpoint
	// collect gathers the acknowledgements of checkpoint id into m; false
	// when the run stopped first.
	collect := func(id int64, m *checkpoint.Manifest) bool {
		add := func(a ack) {
			n := r.job.nodes[a.node]
			if n.kind == kindSource {
				m.Sources[n.name][a.sub] = a.offset
			} else {
				m.Nodes[n.name].Files[a.sub] = a.file
				m.Size += a.size
			}
		}
		got := 0
		if m.Final {
			for _, a := range early {
				add(a)
				got++
			}
		}
		for got < r.total {
			select {
			case <-ctx.Done():
				return false
			case a := <-r.acks:
				switch {
				case a.id == id:
					add(a)
					got++
				case a.id > id:
					early = append(early, a)
				}
			}
		}
		return true
	}
	for {
		final := false
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-r.ending:
			final = true
		}
		r.ckMu.Lock()
		if r.final != 0 {
			final = true
		}
		var id int64
		if final {
			id = r.final
		} else {
			r.lastTrig++
			id = r.lastTrig
			r.job.ck.triggered.Store(id)
		}
		start := time.Now()
		if !final {
			if err := st.Begin(ctx, id); err != nil {
				r.ckMu.Unlock()
				return fmt.Errorf("checkpoint %d: %w", id, err)
			}
			for _, subs := range r.trigger {
				for _, ch := range subs {
					select {
					case ch <- id:
					default: // cannot happen with one checkpoint in flight
					}
				}
			}
		}
		r.ckMu.Unlock()
		m := &checkpoint.Manifest{ID: id, Job: r.job.name, MaxKeyGroups: r.job.cfg.maxKeyGrps,
			Sources: map[string][]int64{}, Nodes: map[string]checkpoint.NodeState{}, Final: final}
		for _, n := range r.job.nodes {
			if n.kind == kindSource {
				m.Sources[n.name] = make([]int64, n.par)
			} else {
				m.Nodes[n.name] = checkpoint.NodeState{Parallelism: n.par, Files: make([]string, n.par)}
			}
		}
		if !collect(id, m) {
			return nil
		}
		m.Time = time.Now().UTC()
		if err := st.Commit(ctx, m); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("checkpoint %d: %w", id, err)
		}
		dur := time.Since(start)
		c := &r.job.ck
		c.completed.Add(1)
		c.lastID.Store(id)
		c.lastDur.Store(int64(dur))
		c.lastSize.Store(m.Size)
		c.totalDur.Add(int64(dur))
		c.totalSize.Add(m.Size)
		r.job.cfg.logger.Debug("checkpoint complete", "job", r.job.name, "checkpoint", id, "duration", dur, "bytes", m.Size, "final", final)
		r.notifyComplete(id)
		if r.job.cfg.onCkpt != nil {
			r.job.cfg.onCkpt(Checkpoint{ID: id, SourceOffsets: m.Sources, Duration: dur, Size: m.Size, Final: final})
		}
		if final {
			return nil
		}
	}
}

// finalCheckpoints reports whether this run takes a final checkpoint at
// the end of its bounded input: checkpoints are on and the run does not
// resume from a final checkpoint (then everything was done already).
func (r *run) finalCheckpoints() bool {
	return r.job.cfg.interval > 0 && !r.finished()
}

// finished reports whether the run resumes from a final checkpoint.
func (r *run) finished() bool { return r.from != nil && r.from.m.Final }

// endSource is called by a source subtask whose input ended. The first
// one stops the coordinator from triggering checkpoints and picks the id
// of the final checkpoint (after every triggered one), preparing it in the
// storage. It returns that id.
func (r *run) endSource() (int64, error) {
	r.ckMu.Lock()
	defer r.ckMu.Unlock()
	if r.final == 0 {
		r.final = r.lastTrig + 1
		r.job.ck.triggered.Store(r.final)
		close(r.ending)
		if r.finalCheckpoints() {
			if err := r.job.cfg.storage.Begin(r.ctx, r.final); err != nil {
				return 0, fmt.Errorf("final checkpoint %d: %w", r.final, err)
			}
		}
	}
	return r.final, nil
}

// finalID returns the id of the final checkpoint, once a source ended.
func (r *run) finalID() int64 {
	r.ckMu.Lock()
	defer r.ckMu.Unlock()
	return r.final
}

// notifyComplete tells every sink subtask that checkpoint id is complete.
// Each has a one-slot mailbox that keeps the newest id (committing id
// commits everything before it).
func (r *run) notifyComplete(id int64) {
	for _, subs := range r.notes {
		for _, ch := range subs {
			for {
				select {
				case ch <- id:
				default:
					select {
					case <-ch:
					default:
					}
					continue
				}
				break
			}
		}
	}
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// latestRestore returns the newest complete checkpoint of the job's
// storage, or prev when there is none.
func (j *Job) latestRestore(ctx context.Context, prev *restorePoint) (*restorePoint, error) {
	m, err := j.cfg.storage.Latest(ctx)
	if errors.Is(err, checkpoint.ErrNoCheckpoint) {
		return prev, nil
	}
	if err != nil {
		return nil, err
	}
	if prev != nil && prev.m.ID > m.ID && prev.store != j.cfg.storage {
		return prev, nil
	}
	return &restorePoint{store: j.cfg.storage, m: m}, nil
}
