package stream

import (
	"context"
	"fmt"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
)

// Collect adds a sink, with the stream's parallelism, that keeps every batch
// in memory; read it after Run returns. Meant for tests and small results.
func (s *Stream) Collect() *Collected {
	c := &Collected{}
	s.To(s.job.uniqueName("collect"), c)
	return c
}

// Collected is the in-memory sink made by Collect. It is safe for
// concurrent use.
type Collected struct {
	mu   sync.Mutex
	recs []arrow.Record
}

// Open implements Sink.
func (c *Collected) Open(context.Context, int, int) (SinkWriter, error) {
	return collectWriter{c}, nil
}

type collectWriter struct{ c *Collected }

func (w collectWriter) Write(_ context.Context, rec arrow.Record) error {
	rec.Retain()
	w.c.mu.Lock()
	w.c.recs = append(w.c.recs, rec)
	w.c.mu.Unlock()
	return nil
}

func (collectWriter) Close(context.Context) error { return nil }

// Records returns the collected batches in arrival order (interleaved across
// subtasks). They stay owned by c.
func (c *Collected) Records() []arrow.Record {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]arrow.Record(nil), c.recs...)
}

// NumRows returns the number of collected rows.
func (c *Collected) NumRows() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var n int64
	for _, r := range c.recs {
		n += r.NumRows()
	}
	return n
}

// Release releases every collected batch.
func (c *Collected) Release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	releaseAll(c.recs)
	c.recs = nil
}

// UniqueName returns base, or base-2, base-3... when a node of j already
// has that name: a default node name for helpers that add operators.
func (j *Job) UniqueName(base string) string { return j.uniqueName(base) }

// Name returns the job's name.
func (j *Job) Name() string { return j.name }

// Job returns the job the stream belongs to.
func (s *Stream) Job() *Job { return s.job }

// Job returns the job the keyed stream belongs to.
func (k *KeyedStream) Job() *Job { return k.s.job }

// uniqueName returns base, or base-2, base-3... when a node already has that
// name.
func (j *Job) uniqueName(base string) string {
	name := base
	for k := 2; ; k++ {
		taken := false
		for _, n := range j.nodes {
			if n.name == name {
				taken = true
				break
			}
		}
		if !taken {
			return name
		}
		name = fmt.Sprintf("%s-%d", base, k)
	}
}
