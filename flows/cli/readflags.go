package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/eddyml/eddy/connectors"
)

// readFlags are the input settings shared by commands that read files.
type readFlags struct {
	batchSize  int
	onError    string
	deadLetter string
	schema     string
}

func (f *readFlags) register(fs *pflag.FlagSet) {
	fs.IntVar(&f.batchSize, "batch-size", connectors.DefaultBatchSize, "rows per record batch")
	fs.StringVar(&f.onError, "on-error", "fail", "what to do with a bad row: fail, or skip (count it and write it to --dead-letter)")
	fs.StringVar(&f.deadLetter, "dead-letter", "", "file that receives skipped rows (with --on-error skip)")
	fs.StringVar(&f.schema, "schema", "", `explicit column types, e.g. "age:int64,name:string" (others are inferred)`)
}

// open opens path with the flags' options. The returned close function
// releases the source and closes the dead-letter file.
func (f *readFlags) open(ctx context.Context, path string) (connectors.Source, func() error, error) {
	policy, err := connectors.ParseErrorPolicy(f.onError)
	if err != nil {
		return nil, nil, fmt.Errorf("--on-error: %w", err)
	}
	if f.batchSize <= 0 {
		return nil, nil, fmt.Errorf("--batch-size: must be positive, got %d", f.batchSize)
	}
	opts := connectors.ReadOptions{BatchSize: f.batchSize, OnError: policy}
	if f.schema != "" {
		if opts.Schema, err = connectors.ParseSchemaSpec(f.schema); err != nil {
			return nil, nil, fmt.Errorf("--schema: %w", err)
		}
	}
	var dl *os.File
	if f.deadLetter != "" {
		if policy != connectors.Skip {
			return nil, nil, errors.New("--dead-letter needs --on-error skip")
		}
		if dl, err = os.Create(f.deadLetter); err != nil {
			return nil, nil, fmt.Errorf("--dead-letter: %w", err)
		}
		opts.DeadLetter = dl
	}
	src, err := connectors.Open(ctx, path, opts)
	if err != nil {
		if dl != nil {
			dl.Close()
		}
		return nil, nil, err
	}
	closeAll := func() error {
		src.Release()
		if dl != nil {
			return dl.Close()
		}
		return nil
	}
	return src, closeAll, nil
}
