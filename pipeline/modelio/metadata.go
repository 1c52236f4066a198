package modelio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// FormatVersion is the version of the saved layout this package writes.
// It reads every version up to it and refuses newer ones.
const FormatVersion = 1

// MetadataFile is the name of a stage's metadata in its directory.
const MetadataFile = "metadata.json"

// Limits on what a metadata file may list, so that a corrupted or hostile
// file cannot make Load allocate without bound.
const (
	maxDataFiles = 1 << 12
	maxStages    = 1 << 12
	maxDepth     = 32
)

// ErrNewerFormat is wrapped by the error for a file written by a newer
// Eddy, in a format version this one does not know.
var ErrNewerFormat = errors.New("newer format version")

var (
	kindPattern  = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	shaPattern   = regexp.MustCompile(`^[0-9a-f]{64}$`)
	stagePattern = regexp.MustCompile(`^stages/([0-9]{2,})-([a-z][a-z0-9_]*)$`)
)

// Metadata is the content of metadata.json: what a saved stage is and
// where its model data and children are, relative to its directory.
type Metadata struct {
	FormatVersion int            `json:"format_version"`
	EddyVersion   string         `json:"eddy_version"`
	Kind          string         `json:"kind"`
	Type          string         `json:"type"` // transformer, estimator or model
	Timestamp     time.Time      `json:"timestamp"`
	Params        map[string]any `json:"params"`
	// Data lists the model data files, "data-0.arrow", "data-1.arrow"...
	// in the order of Model.ModelData, with their size and checksum.
	Data []DataFile `json:"data,omitempty"`
	// Stages lists the child stages' directories, "stages/00-kind"..., in
	// order.
	Stages []string `json:"stages,omitempty"`
}

// DataFile describes a model data file. Load checks its size and SHA-256
// before decoding it, so a flipped bit fails loudly instead of changing
// the model.
type DataFile struct {
	File   string `json:"file"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"` // lowercase hex
}

// DataName returns the name of the i-th model data file.
func DataName(i int) string { return "data-" + strconv.Itoa(i) + ".arrow" }

// StageDir returns the directory of the i-th child stage of kind.
func StageDir(i int, kind string) string { return fmt.Sprintf("stages/%02d-%s", i, kind) }

// Encode returns the metadata as indented JSON.
func (m *Metadata) Encode() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode metadata of stage %q: %w", m.Kind, err)
	}
	return append(b, '\n'), nil
}

// DecodeMetadata parses and checks a metadata.json. A format version newer
// than FormatVersion gives an error wrapping ErrNewerFormat; unknown
// fields, a bad kind or type, and data or stage entries that are not the
// expected relative names are errors. Param numbers are kept as
// json.Number.
func DecodeMetadata(b []byte) (*Metadata, error) {
	// The version first, leniently: a newer format may have other fields.
	var head struct {
		FormatVersion json.Number `json:"format_version"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, fmt.Errorf("decode metadata: %w", err)
	}
	if head.FormatVersion == "" {
		return nil, errors.New("decode metadata: missing format_version")
	}
	v, err := strconv.ParseInt(string(head.FormatVersion), 10, 64)
	if err != nil || v < 1 {
		return nil, fmt.Errorf("decode metadata: format_version %s is not a positive integer", head.FormatVersion)
	}
	if v > FormatVersion {
		return nil, fmt.Errorf("decode metadata: %w %d: this eddy reads up to version %d; upgrade eddy to load it", ErrNewerFormat, v, FormatVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	var m Metadata
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("decode metadata: %w", err)
	}
	if dec.More() {
		return nil, errors.New("decode metadata: trailing data after the object")
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("decode metadata: %w", err)
	}
	return &m, nil
}

func (m *Metadata) check() error {
	if !kindPattern.MatchString(m.Kind) {
		return fmt.Errorf("kind %q is not a valid kind name", m.Kind)
	}
	switch m.Type {
	case "transformer", "estimator", "model":
	default:
		return fmt.Errorf("stage %q: type %q is not transformer, estimator or model", m.Kind, m.Type)
	}
	if len(m.Data) > maxDataFiles {
		return fmt.Errorf("stage %q: %d data files, at most %d", m.Kind, len(m.Data), maxDataFiles)
	}
	for i, d := range m.Data {
		if d.File != DataName(i) {
			return fmt.Errorf("stage %q: data file %d is %q, want %q", m.Kind, i, d.File, DataName(i))
		}
		if d.Size < 0 || !shaPattern.MatchString(d.SHA256) {
			return fmt.Errorf("stage %q: data file %q: invalid size %d or sha256 %q", m.Kind, d.File, d.Size, d.SHA256)
		}
	}
	if len(m.Stages) > maxStages {
		return fmt.Errorf("stage %q: %d child stages, at most %d", m.Kind, len(m.Stages), maxStages)
	}
	for i, s := range m.Stages {
		sub := stagePattern.FindStringSubmatch(s)
		if sub == nil || s != StageDir(i, sub[2]) {
			return fmt.Errorf("stage %q: child stage %d is %q, want \"stages/%02d-<kind>\"", m.Kind, i, s, i)
		}
	}
	return nil
}

// childKind returns the kind in a checked stage entry.
func childKind(entry string) string { return stagePattern.FindStringSubmatch(entry)[2] }
