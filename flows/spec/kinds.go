package spec

import (
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eddyml/eddy/connectors"
	"github.com/eddyml/eddy/connectors/generate"
)

// The built-in job kinds.
const (
	KindIngest   = "ingest"
	KindTrain    = "train"
	KindValidate = "validate"
	KindDeploy   = "deploy"
	KindServe    = "serve"
	KindShell    = "shell"
)

// Version references of validate and deploy jobs besides numbers and
// aliases: the highest version, and the version of the model event that
// triggered the job.
const (
	RefLatest = "latest"
	RefEvent  = "event"
)

// BuiltinKinds returns the job kinds this package parses: ingest, train,
// validate, deploy, serve and shell. flows/jobs adds their constructors
// (and other packages more kinds).
func BuiltinKinds() KindSet {
	return KindSet{
		KindIngest: {Kind: KindIngest, Doc: "copy a file or a generated stream to a file, by extension",
			Fields: []string{"from", "to", "batch_size"}, Parse: parseIngest},
		KindTrain: {Kind: KindTrain, Doc: "fit a pipeline on an input and register the model as a new version",
			Fields: []string{"pipeline", "input", "model"}, Parse: parseTrain},
		KindValidate: {Kind: KindValidate, Doc: "evaluate a model version on data; mark it validated or rejected",
			Fields: []string{"model", "version", "data", "metric", "threshold", "against", "label_col", "task"}, Parse: parseValidate},
		KindDeploy: {Kind: KindDeploy, Doc: "move a model version to the deployed stage, optionally setting an alias",
			Fields: []string{"model", "version", "alias", "keep_others"}, Parse: parseDeploy},
		KindServe: {Kind: KindServe, Doc: "serve the registry's deployed models over HTTP until the flow stops",
			Fields: []string{"addr", "token"}, LongRunning: true, Parse: parseServe},
		KindShell: {Kind: KindShell, Doc: "run a command with args, env and a working directory",
			Fields: []string{"command", "args", "env", "dir"}, Parse: parseShell},
	}
}

// parseFromGenerate reads field's value n, a mapping {generate: {...}},
// as a generator config, reporting unknown keys and invalid settings at
// their position. endless allows rows: 0 (an unbounded stream). It
// returns nil after a problem.
func parseFromGenerate(f *Fields, field string, n *yaml.Node, endless bool) *generate.Config {
	var gen *yaml.Node
	for _, kv := range pairs(f.p, n, f.where+": "+field) {
		if kv[0].Value != "generate" {
			f.ErrorAt(posOf(kv[0]), "%s: unknown key %q; want a path or {generate: {...}}", field, kv[0].Value)
			continue
		}
		gen = kv[1]
	}
	if gen == nil {
		return nil
	}
	if gen.Kind != yaml.MappingNode {
		f.ErrorAt(posOf(gen), "%s.generate: want a mapping of generator settings, got %s", field, kindName(gen))
		return nil
	}
	known := yamlFieldNames(reflect.TypeFor[generate.Config]())
	ok := true
	for _, kv := range pairs(f.p, gen, f.where+": "+field+".generate") {
		if !slices.Contains(known, kv[0].Value) {
			f.ErrorAt(posOf(kv[0]), "%s.generate: unknown key %q%s; known keys: %s", field, kv[0].Value, suggest(kv[0].Value, known), strings.Join(known, ", "))
			ok = false
		}
	}
	var cfg generate.Config
	if err := gen.Decode(&cfg); err != nil {
		f.ErrorAt(posOf(gen), "%s.generate: %s", field, strings.TrimPrefix(err.Error(), "yaml: "))
		return nil
	}
	if !ok {
		return nil
	}
	if err := cfg.Validate(); err != nil {
		f.ErrorAt(posOf(gen), "%s.generate: %v", field, err)
		return nil
	}
	if cfg.Rows <= 0 && !endless {
		f.ErrorAt(posOf(gen), "%s.generate: rows: want a positive row count (an ingest job copies bounded data)", field)
		return nil
	}
	return &cfg
}

// IngestJob copies From (a file) or Generate (a bounded generated
// stream) to To, formats by extension.
type IngestJob struct {
	From     string
	Generate *generate.Config
	To       string
	// BatchSize is the rows per batch read (0: the connector's default).
	BatchSize      int
	FromPos, ToPos Pos
}

// Emits implements JobConfig.
func (*IngestJob) Emits() []Emission { return nil }

// Inputs implements DataJob.
func (j *IngestJob) Inputs() []PathRef {
	if j.From == "" {
		return nil
	}
	return []PathRef{{j.From, j.FromPos}}
}

// Outputs implements DataJob.
func (j *IngestJob) Outputs() []PathRef { return []PathRef{{j.To, j.ToPos}} }

func checkFormat(f *Fields, field, path string) {
	if path == "" || len(connectors.Formats()) == 0 {
		return
	}
	if _, err := connectors.FormatFor(path); err != nil {
		f.Errorf(field, "%v", err)
	}
}

func yamlFieldNames(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		if tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]; tag != "" && tag != "-" {
			out = append(out, tag)
		}
	}
	return out
}

func parseIngest(f *Fields) JobConfig {
	j := &IngestJob{To: f.String("to", true), ToPos: f.Pos("to"), FromPos: f.Pos("from")}
	j.BatchSize = f.Int("batch_size", 0, 1, 1<<24)
	checkFormat(f, "to", j.To)
	n := f.Node("from")
	switch {
	case n == nil:
		f.missing("from")
	case n.Kind == yaml.ScalarNode:
		j.From = f.String("from", true)
		checkFormat(f, "from", j.From)
	case n.Kind == yaml.MappingNode:
		j.Generate = parseFromGenerate(f, "from", n, false)
	default:
		f.Errorf("from", "want a path or {generate: {...}}, got %s", kindName(n))
	}
	return j
}

// TrainJob fits Pipeline on Input and registers the model as a new
// version of Model, with its held-out metrics and lineage.
type TrainJob struct {
	Pipeline *PipelineSpec
	// PipelineFile is the pipeline file's path when not inline.
	PipelineFile string
	Input        string
	Model        string
	InputPos     Pos
}

// Emits implements JobConfig.
func (j *TrainJob) Emits() []Emission { return []Emission{{EventModelCreated, j.Model}} }

// Inputs implements DataJob.
func (j *TrainJob) Inputs() []PathRef { return []PathRef{{j.Input, j.InputPos}} }

// Outputs implements DataJob.
func (j *TrainJob) Outputs() []PathRef { return nil }

func modelField(f *Fields) string {
	m := f.String("model", true)
	if m != "" && !namePattern.MatchString(m) {
		f.Errorf("model", "want 1-128 of [A-Za-z0-9._-] starting with a letter or digit, got %q", truncate(m))
	}
	return m
}

func versionField(f *Fields) string {
	v := f.String("version", false)
	switch {
	case v == "":
		return RefLatest
	case v == RefLatest || v == RefEvent:
	case strings.Trim(strings.TrimPrefix(v, "@"), "0123456789") == "":
		if n, err := strconv.ParseInt(v, 10, 64); err != nil || n < 1 {
			f.Errorf("version", "want a version number >= 1, latest, event or an alias, got %q", v)
		}
	case !namePattern.MatchString(strings.TrimPrefix(v, "@")):
		f.Errorf("version", "want a version number, latest, event or an alias, got %q", truncate(v))
	}
	return v
}

func parseTrain(f *Fields) JobConfig {
	j := &TrainJob{Input: f.String("input", true), InputPos: f.Pos("input"), Model: modelField(f)}
	checkFormat(f, "input", j.Input)
	j.Pipeline, j.PipelineFile = f.Pipeline("pipeline")
	return j
}

// Metrics a validate job can check, and whether lower is better.
var validateMetrics = map[string]bool{
	"accuracy": false, "auc": false, "log_loss": true, "precision": false, "recall": false, "f1": false,
	"macro_f1": false, "weighted_f1": false, "macro_precision": false, "macro_recall": false,
	"rmse": true, "mae": true, "r2": false, "explained_variance": false,
}

// LowerIsBetter reports whether a smaller value of metric is better.
func LowerIsBetter(metric string) bool { return validateMetrics[metric] }

// ValidateJob evaluates a version of Model on Data. The version passes if
// Metric is at least Threshold (at most, for metrics where lower is
// better) or, with Against "champion", at least as good as the deployed
// version's on the same data (a model without a deployed version passes).
// A passing version moves to validated, a failing one to rejected, and
// the job then fails.
type ValidateJob struct {
	Model, Version string
	Data           string
	Metric         string
	Threshold      float64
	Against        string // "" or "champion"
	LabelCol       string
	Task           Task
	DataPos        Pos
}

// Emits implements JobConfig.
func (j *ValidateJob) Emits() []Emission {
	return []Emission{{EventModelValidated, j.Model}, {EventModelRejected, j.Model}, {EventMetricBelow, j.Model}}
}

// Inputs implements DataJob.
func (j *ValidateJob) Inputs() []PathRef { return []PathRef{{j.Data, j.DataPos}} }

// Outputs implements DataJob.
func (j *ValidateJob) Outputs() []PathRef { return nil }

func parseValidate(f *Fields) JobConfig {
	j := &ValidateJob{Model: modelField(f), Version: versionField(f), Data: f.String("data", true), DataPos: f.Pos("data"),
		Metric: f.String("metric", true), LabelCol: DefaultLabelCol, Task: TaskAuto}
	checkFormat(f, "data", j.Data)
	if _, ok := validateMetrics[j.Metric]; j.Metric != "" && !ok {
		names := make([]string, 0, len(validateMetrics))
		for m := range validateMetrics {
			names = append(names, m)
		}
		slices.Sort(names)
		f.Errorf("metric", "unknown metric %q%s; known: %s", j.Metric, suggest(j.Metric, names), strings.Join(names, ", "))
	}
	thr, hasThr := f.Float("threshold", false)
	j.Threshold = thr
	j.Against = f.String("against", false)
	switch {
	case j.Against != "" && j.Against != "champion":
		f.Errorf("against", "want champion (the deployed version), got %q", j.Against)
	case j.Against != "" && f.Has("threshold"):
		f.Errorf("against", "threshold and against exclude each other")
	case j.Against == "" && !hasThr && !f.Has("threshold"):
		f.ErrorAt(f.jobPos, "missing field \"threshold\" (or against: champion)")
	}
	if f.Has("label_col") {
		j.LabelCol = f.String("label_col", true)
	}
	if f.Has("task") {
		t := f.String("task", true)
		if !validTask(t) || t == string(TaskClustering) {
			f.Errorf("task", "want one of auto, binary, multiclass, regression, got %q", t)
		}
		j.Task = Task(t)
	}
	return j
}

// DeployJob moves a version of Model to deployed (deprecating the other
// deployed versions unless KeepOthers) and points Alias at it.
type DeployJob struct {
	Model, Version, Alias string
	KeepOthers            bool
}

// Emits implements JobConfig.
func (j *DeployJob) Emits() []Emission {
	return []Emission{{EventModelDeployed, j.Model}, {EventModelDeprecated, j.Model}}
}

func parseDeploy(f *Fields) JobConfig {
	j := &DeployJob{Model: modelField(f), Version: versionField(f), Alias: f.String("alias", false), KeepOthers: f.Bool("keep_others", false)}
	if a := j.Alias; a != "" && (!namePattern.MatchString(a) || strings.Trim(a, "0123456789") == "" || a == RefLatest || a == RefEvent) {
		f.Errorf("alias", "want a name of [A-Za-z0-9._-] that is not a number, latest or event, got %q", truncate(a))
	}
	return j
}

// ServeJob serves the registry's deployed models over HTTP on Addr until
// the flow stops.
type ServeJob struct {
	Addr, Token string
}

// Emits implements JobConfig.
func (*ServeJob) Emits() []Emission { return nil }

func parseServe(f *Fields) JobConfig {
	j := &ServeJob{Addr: f.String("addr", false), Token: f.String("token", false)}
	if j.Addr == "" {
		j.Addr = "localhost:8080"
	} else if !strings.Contains(j.Addr, ":") {
		f.Errorf("addr", "want host:port or :port, got %q", j.Addr)
	}
	return j
}

// ShellJob runs Command with Args (no shell involved: write
// command: sh, args: [-c, "..."] for one) in Dir (default the flow's
// directory) with Env added to the environment, plus EDDY_FLOW, EDDY_RUN,
// EDDY_JOB, EDDY_ATTEMPT, EDDY_CHECKPOINT_DIR (the instance's checkpoint
// directory, not created) and, for event-triggered jobs, EDDY_EVENT,
// EDDY_EVENT_MODEL, EDDY_EVENT_VERSION, EDDY_EVENT_JOB.
type ShellJob struct {
	Command string
	Args    []string
	Env     map[string]string
	Dir     string
}

// Emits implements JobConfig.
func (*ShellJob) Emits() []Emission { return nil }

func parseShell(f *Fields) JobConfig {
	j := &ShellJob{Command: f.String("command", true), Args: f.Strings("args"), Env: f.StringMap("env"), Dir: f.String("dir", false)}
	for k := range j.Env {
		if !envName.MatchString(k) {
			f.Errorf("env", "variable name %q: want letters, digits and _", truncate(k))
		}
	}
	return j
}
