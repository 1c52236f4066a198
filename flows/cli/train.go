package cli

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/eddyml/eddy/flows/jobs"
	"github.com/eddyml/eddy/flows/spec"
	"github.com/eddyml/eddy/pipeline/modelio"
)

func newTrainCmd() *cobra.Command {
	var (
		rf                          readFlags
		pipelineFile, input, output string
		testFraction                float64
		seed                        int64
		force                       bool
	)
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Fit a pipeline described in YAML, evaluate it on a held-out split and save the model",
		Long: `Train reads the input (any format by extension), holds out a seeded random
split, fits the pipeline's stages in order on the rest (printing each stage's
rows and time to stderr), scores the held-out rows, prints the metrics of the
pipeline's task to stdout and saves the fitted pipeline model: to a directory,
or to a single file when --model ends in .tar. The same input, pipeline and
seed give the same model and metrics.`,
		Example: `  eddy train --pipeline flows/spec/testdata/breast_cancer.yaml \
    --input ../shared/datasets/breast_cancer.csv.gz --model bc-model
  eddy train --pipeline diabetes.yaml --input diabetes.csv.gz --model diabetes.tar --test-fraction 0.2 --seed 7`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for name, v := range map[string]string{"--pipeline": pipelineFile, "--input": input, "--model": output} {
				if v == "" {
					return fmt.Errorf("%s is required", name)
				}
			}
			ps, err := readPipeline(pipelineFile)
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("test-fraction") {
				if !(testFraction >= 0 && testFraction < 1) {
					return fmt.Errorf("--test-fraction: want a fraction in [0, 1), got %v", testFraction)
				}
				ps.Split.Test = testFraction
			}
			if cmd.Flags().Changed("seed") {
				ps.Split.Seed = seed
			}
			if !force {
				if _, err := os.Stat(output); err == nil {
					return fmt.Errorf("--model %s: already exists (use --force to replace it)", output)
				}
			}
			ctx := cmd.Context()
			src, closeSrc, err := rf.open(ctx, input)
			if err != nil {
				return err
			}
			res, err := trainPipeline(ctx, ps, src, cmd.ErrOrStderr())
			if err != nil {
				return errors.Join(fmt.Errorf("train %s on %s: %w", pipelineFile, input, err), closeSrc())
			}
			defer res.Release()
			if err := closeSrc(); err != nil {
				return err
			}
			if n := src.Skipped(); n > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "skipped %d bad input rows\n", n)
			}
			start := time.Now()
			if err := modelio.Save(res.Model, output, &modelio.Options{Overwrite: force}); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "saved model (%d stages) to %s in %.3fs\n", len(res.Model.Stages()), output, time.Since(start).Seconds())
			return res.PrintMetrics(cmd.OutOrStdout())
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&pipelineFile, "pipeline", "", "pipeline YAML file (see flows/spec/testdata for examples)")
	fs.StringVar(&input, "input", "", "training data: .csv, .jsonl, .parquet, .arrow (optionally .gz)")
	fs.StringVar(&output, "model", "", "where to save the fitted model: a directory, or a single file ending in .tar")
	fs.Float64Var(&testFraction, "test-fraction", spec.DefaultTestFraction, "held-out fraction of the rows (0: no evaluation); overrides the file's split.test")
	fs.Int64Var(&seed, "seed", spec.DefaultSeed, "seed of the held-out split; overrides the file's split.seed")
	fs.BoolVar(&force, "force", false, "replace an existing --model")
	rf.register(fs)
	return cmd
}

// readPipeline reads and parses a pipeline file.
func readPipeline(path string) (*spec.PipelineSpec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	return spec.ParsePipeline(path, data)
}

// trainPipeline is jobs.TrainPipeline, shared with the flow train job.
var trainPipeline = jobs.TrainPipeline
