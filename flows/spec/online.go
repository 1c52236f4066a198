package spec

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/eddyml/eddy/connectors/generate"
	"github.com/eddyml/eddy/online"
)

// KindOnline is the job kind of an online learner over a stream.
const KindOnline = "online"

// Quality-gate metrics of an online job, and whether lower is better.
var gateMetrics = map[string]bool{"accuracy": false, "auc": false, "log_loss": true, "rmse": true, "mae": true}

// Drift detectors an online job can run on its prequential errors.
var driftDetectors = []string{"adwin", "ddm", "page_hinkley"}

// OnlineJob learns Learner online over Input (a file) or Generate (a
// generated stream, endless when its rows are 0), test-then-train. It
// starts from version Version of Model, a registered pipeline model whose
// stages before the last prepare the features and whose last stage the
// learner warm-starts from and replaces, and registers a new version of
// Model every PublishEveryRows rows or PublishEvery, once the version
// passes Gate. With Drift set, a drift detector watches the prequential
// error and each detected drift is a drift.detected event.
type OnlineJob struct {
	Learner  string
	Params   map[string]any
	Input    string
	Generate *generate.Config
	InputPos Pos

	Model, Version string
	LabelCol       string

	PublishEveryRows int64
	PublishEvery     time.Duration
	Gate             *QualityGate
	Drift            string

	// CheckpointEvery is the checkpoint interval (default 2s).
	CheckpointEvery time.Duration
	// Rate caps the rows read per second (0: as fast as possible); it
	// makes an endless generated stream look like live traffic.
	Rate float64
	// BatchSize is the rows per batch read (0: the source's default).
	BatchSize int
}

// QualityGate lets a model version through only when Metric over the
// last Window test-then-train rows is at least Threshold (at most, for
// metrics where lower is better).
type QualityGate struct {
	Metric    string
	Threshold float64
	Window    int
}

// Emits implements JobConfig.
func (j *OnlineJob) Emits() []Emission {
	e := []Emission{{EventModelCreated, j.Model}}
	if j.Drift != "" {
		e = append(e, Emission{EventDriftDetected, j.Model})
	}
	return e
}

// Inputs implements DataJob.
func (j *OnlineJob) Inputs() []PathRef {
	if j.Input == "" {
		return nil
	}
	return []PathRef{{j.Input, j.InputPos}}
}

// Outputs implements DataJob.
func (j *OnlineJob) Outputs() []PathRef { return nil }

// Endless reports whether the job reads an endless stream, so that it
// runs until the flow stops like a serve job.
func (j *OnlineJob) Endless() bool { return j.Generate != nil && j.Generate.Rows == 0 }

// OnlineKind returns the job kind online for the parser.
func OnlineKind() JobKind {
	return JobKind{Kind: KindOnline, Doc: "learn online over a stream, warm-started from a model version, publishing new versions through a quality gate",
		Fields: []string{"learner", "params", "input", "model", "version", "label_col", "publish", "gate", "drift",
			"checkpoint_every", "rate", "batch_size"},
		Parse: parseOnline}
}

func parseOnline(f *Fields) JobConfig {
	j := &OnlineJob{Learner: "ftrl", Model: modelField(f), Version: versionField(f), LabelCol: DefaultLabelCol,
		CheckpointEvery: 2 * time.Second, InputPos: f.Pos("input")}
	if f.Has("learner") {
		j.Learner = f.String("learner", true)
	}
	paramsOK := true
	if n := f.Node("params"); n != nil {
		if n.Kind != yaml.MappingNode {
			f.Errorf("params", "want a mapping of learner params, got %s", kindName(n))
			paramsOK = false
		} else if err := n.Decode(&j.Params); err != nil {
			f.Errorf("params", "%s", strings.TrimPrefix(err.Error(), "yaml: "))
			paramsOK = false
		}
	}
	// The learners are known once a package registers them (flows/jobs
	// imports online/all); check the kind and its params then.
	if kinds := online.Kinds(); len(kinds) > 0 && j.Learner != "" {
		if _, err := online.Lookup(j.Learner); err != nil {
			f.Errorf("learner", "unknown learner %q%s; known: %s", truncate(j.Learner), suggest(j.Learner, kinds), strings.Join(kinds, ", "))
		} else if _, err := online.New(j.Learner, j.Params); err != nil && paramsOK {
			f.Errorf("params", "%v", err)
		}
	}
	switch n := f.Node("input"); {
	case n == nil:
		f.missing("input")
	case n.Kind == yaml.ScalarNode:
		j.Input = f.String("input", true)
		checkFormat(f, "input", j.Input)
	case n.Kind == yaml.MappingNode:
		j.Generate = parseFromGenerate(f, "input", n, true)
	default:
		f.Errorf("input", "want a path or {generate: {...}}, got %s", kindName(n))
	}
	if f.Has("label_col") {
		j.LabelCol = f.String("label_col", true)
	}
	if n := f.Node("publish"); n != nil {
		parseMapping(f, "publish", n, map[string]func(*yaml.Node){
			"every_rows": func(v *yaml.Node) {
				r, err := strconv.ParseInt(v.Value, 10, 64)
				if v.Kind != yaml.ScalarNode || err != nil || r < 1 {
					f.ErrorAt(posOf(v), "publish.every_rows: want a positive integer, got %s", kindName(v))
				}
				j.PublishEveryRows = r
			},
			"every": func(v *yaml.Node) {
				j.PublishEvery, _ = parseDuration(f.p, f.where+": publish.every", v)
			},
		})
	}
	if j.PublishEveryRows == 0 && j.PublishEvery == 0 {
		j.PublishEveryRows = 100_000
	}
	if n := f.Node("gate"); n != nil {
		g := &QualityGate{Window: 5000}
		metricPos := posOf(n)
		parseMapping(f, "gate", n, map[string]func(*yaml.Node){
			"metric": func(v *yaml.Node) { g.Metric, metricPos = v.Value, posOf(v) },
			"threshold": func(v *yaml.Node) {
				t, err := strconv.ParseFloat(v.Value, 64)
				if v.Kind != yaml.ScalarNode || err != nil || t != t {
					f.ErrorAt(posOf(v), "gate.threshold: want a number, got %s", kindName(v))
				}
				g.Threshold = t
			},
			"window": func(v *yaml.Node) {
				w, err := strconv.Atoi(v.Value)
				if v.Kind != yaml.ScalarNode || err != nil || w < 1 || w > 1<<24 {
					f.ErrorAt(posOf(v), "gate.window: want an integer in [1, %d], got %s", 1<<24, kindName(v))
				}
				g.Window = w
			},
		})
		if _, ok := gateMetrics[g.Metric]; !ok {
			f.ErrorAt(metricPos, "gate.metric: want one of %s, got %q", strings.Join(sortedKeys(gateMetrics), ", "), truncate(g.Metric))
		}
		j.Gate = g
	}
	if f.Has("drift") {
		j.Drift = f.String("drift", true)
		if !slices.Contains(driftDetectors, j.Drift) {
			f.Errorf("drift", "want one of %s, got %q%s", strings.Join(driftDetectors, ", "), truncate(j.Drift), suggest(j.Drift, driftDetectors))
		}
	}
	if n := f.Node("checkpoint_every"); n != nil {
		if d, ok := parseDuration(f.p, f.where+": checkpoint_every", n); ok {
			j.CheckpointEvery = d
		}
	}
	if r, ok := f.Float("rate", false); ok {
		if r < 0 {
			f.Errorf("rate", "want rows per second >= 0, got %v", r)
		}
		j.Rate = r
	}
	j.BatchSize = f.Int("batch_size", 0, 1, 1<<24)
	return j
}

// parseMapping calls the handler of each key of mapping n (field's value),
// reporting unknown keys with the known ones.
func parseMapping(f *Fields, field string, n *yaml.Node, handlers map[string]func(*yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		f.Errorf(field, "want a mapping with keys %s, got %s", strings.Join(slices.Sorted(maps.Keys(handlers)), ", "), kindName(n))
		return
	}
	for _, kv := range pairs(f.p, n, f.where+": "+field) {
		h, ok := handlers[kv[0].Value]
		if !ok {
			known := slices.Sorted(maps.Keys(handlers))
			f.ErrorAt(posOf(kv[0]), "%s: unknown key %q%s; known keys: %s", field, kv[0].Value, suggest(kv[0].Value, known), strings.Join(known, ", "))
			continue
		}
		h(resolve(kv[1]))
	}
}
