package stream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"

	"github.com/eddyml/eddy/pipeline/checkpoint"
)

// NewFileSink returns a sink with exactly-once output: each subtask writes
// the batches it receives as Arrow IPC stream files in dir, published by
// two-phase commit (TwoPhaseCommitter):
//
//   - batches go to a hidden in-progress file .part-<subtask>.inprogress;
//   - at checkpoint barrier n it is closed, fsynced and renamed to the
//     pending part-<subtask>-<n>.arrows.pending (PreCommit);
//   - when checkpoint n completes, pending files up to n are renamed to
//     part-<subtask>-<n>.arrows (Commit), the directory fsynced;
//   - on restore from checkpoint n, the pending files the checkpoint holds
//     are committed, and every other pending or in-progress file, and every
//     committed file numbered above n, of the subtasks this one takes over,
//     is deleted, so rows after the checkpoint are written once more and
//     only once;
//   - at the end of a bounded input, Close publishes everything.
//
// Readers take the files named part-*.arrows. Start a job (that does not
// restore) with an empty dir.
func NewFileSink(dir string) Sink { return &fileSink{dir: dir} }

type fileSink struct{ dir string }

func (s *fileSink) Open(_ context.Context, subtask, parallelism int) (SinkWriter, error) {
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return nil, fmt.Errorf("file sink: %w", err)
	}
	return &fileWriter{dir: s.dir, sub: subtask, par: parallelism}, nil
}

type pendingTxn struct {
	ID   int64  `json:"id"`
	Name string `json:"name"` // committed name; the pending file adds .pending
}

type fileWriter struct {
	dir      string
	sub, par int
	f        *os.File
	w        *ipc.Writer
	pending  []pendingTxn
	last     int64 // last pre-committed or restored checkpoint
}

func (w *fileWriter) inprogress() string {
	return filepath.Join(w.dir, fmt.Sprintf(".part-%d.inprogress", w.sub))
}

// Write implements SinkWriter.
func (w *fileWriter) Write(_ context.Context, rec arrow.Record) error {
	if w.w == nil {
		f, err := os.Create(w.inprogress())
		if err != nil {
			return fmt.Errorf("file sink: %w", err)
		}
		w.f, w.w = f, ipc.NewWriter(f, ipc.WithSchema(rec.Schema()))
	}
	if err := w.w.Write(rec); err != nil {
		return fmt.Errorf("file sink: write %s: %w", w.f.Name(), err)
	}
	return nil
}

// PreCommit implements TwoPhaseCommitter.
func (w *fileWriter) PreCommit(_ context.Context, id int64) error {
	w.last = max(w.last, id)
	if w.w == nil {
		return nil
	}
	err := w.w.Close()
	if err == nil {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.w, w.f = nil, nil
	if err != nil {
		return fmt.Errorf("file sink: %w", err)
	}
	name := fmt.Sprintf("part-%d-%d.arrows", w.sub, id)
	if err := os.Rename(w.inprogress(), filepath.Join(w.dir, name+".pending")); err != nil {
		return fmt.Errorf("file sink: %w", err)
	}
	if err := checkpoint.SyncDir(w.dir); err != nil {
		return fmt.Errorf("file sink: %w", err)
	}
	w.pending = append(w.pending, pendingTxn{ID: id, Name: name})
	return nil
}

// Commit implements TwoPhaseCommitter.
func (w *fileWriter) Commit(_ context.Context, id int64) error {
	var keep []pendingTxn
	for _, p := range w.pending {
		if p.ID > id {
			keep = append(keep, p)
			continue
		}
		if err := w.publish(p); err != nil {
			return err
		}
	}
	w.pending = keep
	return checkpoint.SyncDir(w.dir)
}

// publish renames a pending file to its final name; done already is fine.
func (w *fileWriter) publish(p pendingTxn) error {
	final := filepath.Join(w.dir, p.Name)
	err := os.Rename(final+".pending", final)
	if errors.Is(err, os.ErrNotExist) {
		if _, serr := os.Stat(final); serr == nil {
			return nil
		}
		return fmt.Errorf("file sink: commit %s: neither pending nor committed file exists", p.Name)
	}
	if err != nil {
		return fmt.Errorf("file sink: commit: %w", err)
	}
	return nil
}

type fileSinkState struct {
	Pending []pendingTxn `json:"pending"`
}

// Snapshot implements Snapshotter: the pending transactions.
func (w *fileWriter) Snapshot(context.Context, int64) ([]byte, error) {
	return json.Marshal(fileSinkState{Pending: w.pending})
}

var partName = regexp.MustCompile(`^(?:part-(\d+)-(\d+)\.arrows(\.pending)?|\.part-(\d+)\.inprogress)$`)

// Restore implements Restorer.
func (w *fileWriter) Restore(_ context.Context, id int64, states [][]byte) error {
	for _, b := range states {
		var st fileSinkState
		if err := json.Unmarshal(b, &st); err != nil {
			return fmt.Errorf("file sink: restore: %w", err)
		}
		for _, p := range st.Pending {
			if p.ID <= id {
				if err := w.publish(p); err != nil {
					return err
				}
			}
		}
	}
	ents, err := os.ReadDir(w.dir)
	if err != nil {
		return fmt.Errorf("file sink: restore: %w", err)
	}
	for _, e := range ents {
		m := partName.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		var sub int
		drop := true
		if m[4] != "" {
			sub, _ = strconv.Atoi(m[4])
		} else {
			sub, _ = strconv.Atoi(m[1])
			n, _ := strconv.ParseInt(m[2], 10, 64)
			drop = m[3] != "" || n > id
		}
		if sub%w.par != w.sub || !drop {
			continue
		}
		if err := os.Remove(filepath.Join(w.dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("file sink: restore: %w", err)
		}
	}
	w.pending, w.last = nil, id
	return checkpoint.SyncDir(w.dir)
}

// Close implements SinkWriter: at the end of input everything is
// published (as transaction last+1 for the rows after the last barrier).
func (w *fileWriter) Close(ctx context.Context) error {
	if ctx.Err() != nil {
		return w.Abort()
	}
	if err := w.PreCommit(ctx, w.last+1); err != nil {
		return err
	}
	ids := make([]int64, 0, len(w.pending))
	for _, p := range w.pending {
		ids = append(ids, p.ID)
	}
	if len(ids) == 0 {
		return nil
	}
	return w.Commit(ctx, slices.Max(ids))
}

// Abort implements Aborter: the in-progress file is dropped; pending files
// stay for a restore to commit or delete.
func (w *fileWriter) Abort() error {
	if w.w == nil {
		return nil
	}
	w.w.Close()
	w.f.Close()
	w.w, w.f = nil, nil
	if err := os.Remove(w.inprogress()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("file sink: abort: %w", err)
	}
	return nil
}
