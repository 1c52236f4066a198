package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/spf13/cobra"

	"github.com/eddyml/eddy/connectors"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/serving/modelstore"
)

func newPredictCmd() *cobra.Command {
	var (
		rf                             readFlags
		registry, ref, input, out, sel string
	)
	cmd := &cobra.Command{
		Use:   "predict",
		Short: "Score a file with a registered model (the same Transform code as serving)",
		Example: `  eddy predict --model ctr --input day.csv --output scored.parquet
  eddy predict --model ctr@champion --input day.jsonl --output scored.jsonl --cols id,prediction`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			name, r, _ := strings.Cut(ref, "@")
			st, err := modelstore.Open(ctx, registry)
			if err != nil {
				return err
			}
			defer st.Close()
			var v modelstore.Version
			if r == "" {
				dep, err := st.Deployed(ctx, name)
				if err != nil {
					return err
				}
				if len(dep) == 0 {
					return fmt.Errorf("model %q: no deployed version (use --model %s@VERSION or @ALIAS)", name, name)
				}
				v = dep[0]
			} else if v, err = modelstore.Resolve(ctx, st, name, r); err != nil {
				return err
			}
			stage, err := modelstore.LoadStage(ctx, st, name, v.Version, nil)
			if err != nil {
				return err
			}
			t, ok := stage.(pipeline.Transformer)
			if !ok {
				return fmt.Errorf("model %q version %d: kind %q cannot transform", name, v.Version, stage.Kind())
			}
			src, closeSrc, err := rf.open(ctx, input)
			if err != nil {
				return err
			}
			defer closeSrc()
			scored, err := pipeline.TransformReader(ctx, t, src)
			if err != nil {
				return fmt.Errorf("model %q version %d: %w", name, v.Version, err)
			}
			defer scored.Release()
			var cols []string
			if sel != "" {
				cols = strings.Split(sel, ",")
				for _, c := range cols {
					if _, err := table.FieldIndex(scored.Schema(), c); err != nil {
						return fmt.Errorf("--cols: %w", err)
					}
				}
			}
			schema := scored.Schema()
			if cols != nil {
				schema, err = selectSchema(schema, cols)
				if err != nil {
					return err
				}
			}
			w, err := connectors.Create(out, schema, connectors.WriteOptions{})
			if err != nil {
				return err
			}
			rows := int64(0)
			for scored.Next() {
				rec := scored.Record()
				if cols != nil {
					if rec, err = table.Select(rec, cols...); err != nil {
						w.Close()
						return err
					}
				} else {
					rec.Retain()
				}
				err = w.Write(rec)
				rows += rec.NumRows()
				rec.Release()
				if err != nil {
					w.Close()
					return fmt.Errorf("%s: %w", out, err)
				}
			}
			if err := errors.Join(scored.Err(), w.Close()); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "scored %d rows with %s version %d into %s\n", rows, name, v.Version, out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&registry, "registry", modelstore.DefaultURL, "model registry URL: file://DIR or redis://host:port/db")
	f.StringVar(&ref, "model", "", "model NAME (deployed version), NAME@VERSION or NAME@ALIAS")
	f.StringVar(&input, "input", "", "input file (csv, jsonl, parquet, arrow; .gz ok)")
	f.StringVar(&out, "output", "", "output file; the format follows the extension")
	f.StringVar(&sel, "cols", "", "comma-separated output columns (default all)")
	rf.register(f)
	for _, n := range []string{"model", "input", "output"} {
		cmd.MarkFlagRequired(n)
	}
	return cmd
}

func selectSchema(s *arrow.Schema, cols []string) (*arrow.Schema, error) {
	idx, err := table.FieldIndices(s, cols...)
	if err != nil {
		return nil, fmt.Errorf("--cols: %w", err)
	}
	fields := make([]arrow.Field, len(idx))
	for i, j := range idx {
		fields[i] = s.Field(j)
	}
	return arrow.NewSchema(fields, nil), nil
}
