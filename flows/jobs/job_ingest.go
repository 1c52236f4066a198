package jobs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/eddyml/eddy/connectors"
	"github.com/eddyml/eddy/connectors/generate"
	"github.com/eddyml/eddy/flows/spec"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
)

type ingestJob struct {
	cfg      *spec.IngestJob
	from, to string
}

func newIngest(job *spec.Job, flow *spec.Flow) (Job, error) {
	cfg, err := configOf[*spec.IngestJob](job)
	if err != nil {
		return nil, err
	}
	return &ingestJob{cfg: cfg, from: flow.Path(cfg.From), to: flow.Path(cfg.To)}, nil
}

// Run copies the input to the output file, which appears atomically
// (connectors.Create writes a temporary file and renames it).
func (j *ingestJob) Run(ctx context.Context, env *Env) (*Result, error) {
	var src table.Reader
	what := j.cfg.From
	if j.cfg.Generate != nil {
		cfg := *j.cfg.Generate
		cfg.Allocator = pipeline.Allocator(ctx)
		g, err := generate.New(cfg)
		if err != nil {
			return nil, Permanent(err)
		}
		src, what = g, "generated stream"
	} else {
		s, err := connectors.Open(ctx, j.from, connectors.ReadOptions{BatchSize: j.cfg.BatchSize, Allocator: pipeline.Allocator(ctx)})
		if err != nil {
			return nil, err
		}
		src = s
	}
	defer src.Release()
	if err := os.MkdirAll(filepath.Dir(j.to), 0o755); err != nil {
		return nil, err
	}
	w, err := connectors.Create(j.to, src.Schema(), connectors.WriteOptions{})
	if err != nil {
		return nil, err
	}
	var rows int64
	for src.Next() {
		if err := ctx.Err(); err != nil {
			return nil, errors.Join(err, abortWriter(w))
		}
		if err := w.Write(src.Record()); err != nil {
			return nil, errors.Join(fmt.Errorf("write %s: %w", j.cfg.To, err), abortWriter(w))
		}
		rows += src.Record().NumRows()
	}
	if err := src.Err(); err != nil {
		return nil, errors.Join(fmt.Errorf("read %s: %w", what, err), abortWriter(w))
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("write %s: %w", j.cfg.To, err)
	}
	env.Logger.Info("ingested", "rows", rows, "from", what, "to", j.cfg.To)
	return &Result{Outputs: map[string]string{"rows": strconv.FormatInt(rows, 10), "path": j.cfg.To}}, nil
}

// abortWriter drops a partly written output when the writer can.
func abortWriter(w connectors.Writer) error {
	if a, ok := w.(connectors.Aborter); ok {
		return a.Abort()
	}
	return nil
}
