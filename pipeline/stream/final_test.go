package stream

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/checkpoint"
	"github.com/eddyml/eddy/pipeline/table"
)

// finalFault fails the storage's Commit of the final checkpoint once,
// after the manifest was written: the checkpoint is complete but no sink
// was told, as if the process died between the two.
type finalFault struct {
	checkpoint.Storage
	armed atomic.Bool
}

func (f *finalFault) Commit(ctx context.Context, m *checkpoint.Manifest) error {
	if err := f.Storage.Commit(ctx, m); err != nil {
		return err
	}
	if m.Final && f.armed.CompareAndSwap(true, false) {
		return fmt.Errorf("after manifest %d: %w", m.ID, errInjected)
	}
	return nil
}

// noSource fails the job if it is opened.
type noSource struct{ opened atomic.Int64 }

func (s *noSource) Open(context.Context, int, int) (table.Reader, error) {
	s.opened.Add(1)
	return nil, errors.New("source opened: the job was restored from its final checkpoint and must not read")
}

// TestFinalCheckpoint: a bounded job with checkpoints takes a final
// checkpoint once its sources ended and its operators finished; the file
// sinks' last output is committed by it exactly once (also when the
// storage fails right after the final manifest, before any sink
// committed, and the job restarts from it); running the job again from
// its checkpoint directory reads nothing and writes nothing.
func TestFinalCheckpoint(t *testing.T) {
	for _, crash := range []bool{false, true} {
		t.Run(fmt.Sprintf("crash-after-manifest=%v", crash), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			recs := sumBatches(t, mem, 30, 40, 7, 11)
			defer release(recs)
			dir := t.TempDir()
			store, err := checkpoint.NewDir(filepath.Join(dir, "ckpt"), 3)
			if err != nil {
				t.Fatal(err)
			}
			storage := &finalFault{Storage: store}
			storage.armed.Store(crash)
			build := func(src Source, opts ...Option) *Job {
				job := NewJob("final", append([]Option{WithAllocator(mem), WithCheckpointStorage(storage),
					WithCheckpointInterval(3 * time.Millisecond)}, opts...)...)
				rows := FromSource(job, "src", src, 2)
				rows.ToParallel("rows", NewFileSink(filepath.Join(dir, "rows")), 2)
				// Count emits its rows in Finish: a restore from the final
				// checkpoint must not emit them again.
				rows.KeyBy("key").Count("count").ToParallel("counts", NewFileSink(filepath.Join(dir, "counts")), 1)
				return job
			}
			var cps []Checkpoint
			job := build(&pacedSource{recs: recs, pause: time.Millisecond},
				WithCheckpointListener(func(c Checkpoint) { cps = append(cps, c) }),
				WithRestartStrategy(RestartStrategy{MaxAttempts: 1}))
			if err := job.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			if crash && (storage.armed.Load() || job.CheckpointStats().Restarts != 1) {
				t.Fatalf("the fault after the final manifest did not restart the job (restarts %d)", job.CheckpointStats().Restarts)
			}
			if len(cps) == 0 || len(cps) == 1 && cps[0].Final {
				t.Fatalf("%d checkpoints: want regular ones before the final one", len(cps))
			}
			last := cps[len(cps)-1]
			for _, c := range cps[:len(cps)-1] {
				if c.Final {
					t.Errorf("checkpoint %d is final but not the last", c.ID)
				}
			}
			if !last.Final && !crash {
				t.Fatalf("last checkpoint %d is not final", last.ID)
			}
			m, err := store.Latest(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !m.Final {
				t.Fatalf("latest checkpoint %d is not final", m.ID)
			}
			if got := m.Sources["src"]; !slices.Equal(got, []int64{600, 600}) {
				t.Errorf("final checkpoint source offsets %v, want both subtasks at their end (600 rows)", got)
			}

			// Each input row once, each key's count once, and the last part
			// of every sink subtask is the final checkpoint's.
			check := func(when string) {
				t.Helper()
				rows := readParts(t, mem, filepath.Join(dir, "rows"))
				defer release(rows)
				var ids []int64
				for _, r := range rows {
					ids = append(ids, int64Col(t, r, "id")...)
				}
				slices.Sort(ids)
				n := len(ids)
				if ids = slices.Compact(ids); n != 1200 || len(ids) != 1200 || ids[0] != 0 || ids[len(ids)-1] != 1199 {
					t.Errorf("%s: %d output rows (%d distinct), want ids 0..1199 once each", when, n, len(ids))
				}
				counts := readParts(t, mem, filepath.Join(dir, "counts"))
				defer release(counts)
				want := referenceSums(t, recs)
				got := map[string]int64{}
				n = 0
				for _, r := range counts {
					for _, row := range table.Rows(r) {
						got[fmt.Sprint(row["key"])] += row["count"].(int64)
						n++
					}
				}
				if n != len(want) {
					t.Errorf("%s: %d count rows, want one per key (%d)", when, n, len(want))
				}
				for k, sc := range want {
					if got[k] != sc.n {
						t.Errorf("%s: key %s count %d, want %d", when, k, got[k], sc.n)
					}
				}
				for _, sink := range []string{"rows", "counts"} {
					left, _ := filepath.Glob(filepath.Join(dir, sink, "*.pending"))
					hidden, _ := filepath.Glob(filepath.Join(dir, sink, ".part-*"))
					if len(left)+len(hidden) > 0 {
						t.Errorf("%s: uncommitted files left in %s: %v %v", when, sink, left, hidden)
					}
				}
				finals, _ := filepath.Glob(filepath.Join(dir, "counts", fmt.Sprintf("part-0-%d.arrows", m.ID)))
				if len(finals) != 1 {
					t.Errorf("%s: the counts were not committed as part of final checkpoint %d", when, m.ID)
				}
			}
			check("after the run")

			before := listFiles(t, dir)
			src := &noSource{}
			again := build(src, WithRestoreFrom(store))
			if err := again.Run(context.Background()); err != nil {
				t.Fatalf("resuming a finished job: %v", err)
			}
			if src.opened.Load() != 0 {
				t.Error("resuming from the final checkpoint opened the source")
			}
			if again.CheckpointStats().LastRestore != m.ID || again.CheckpointStats().Completed != 0 {
				t.Errorf("resume: restored %d (want %d), %d new checkpoints (want 0)",
					again.CheckpointStats().LastRestore, m.ID, again.CheckpointStats().Completed)
			}
			if after := listFiles(t, dir); !slices.Equal(after, before) {
				t.Errorf("resuming a finished job changed the files:\nbefore %v\nafter  %v", before, after)
			}
			check("after resuming")
		})
	}
}

// listFiles lists the output files (not checkpoints) under dir with sizes.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, sink := range []string{"rows", "counts"} {
		ents, err := os.ReadDir(filepath.Join(dir, sink))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			info, _ := e.Info()
			out = append(out, fmt.Sprintf("%s/%s:%d", sink, e.Name(), info.Size()))
		}
	}
	return out
}
