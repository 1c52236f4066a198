package modelstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Stage is where a model version is in its lifecycle (after AI Flow's
// model center). It is not a pipeline.Stage.
type Stage string

// The lifecycle stages. A new version is StageGenerated; see CanTransition
// for the allowed moves.
const (
	StageGenerated  Stage = "generated"
	StageValidated  Stage = "validated"
	StageDeployed   Stage = "deployed"
	StageDeprecated Stage = "deprecated"
	StageRejected   Stage = "rejected"
)

// transitions lists, for each stage, the stages it may move to.
var transitions = map[Stage][]Stage{
	StageGenerated:  {StageValidated, StageRejected},
	StageValidated:  {StageDeployed, StageDeprecated, StageRejected},
	StageDeployed:   {StageDeprecated},
	StageDeprecated: {StageDeployed}, // rollback: deploy an older version again
	StageRejected:   nil,
}

// Valid reports whether s is one of the five stages.
func (s Stage) Valid() bool { _, ok := transitions[s]; return ok }

// CanTransition reports whether a version in stage from may move to stage
// to. Moving to the stage a version is already in is allowed and changes
// nothing (so retries are harmless).
func CanTransition(from, to Stage) bool {
	return from == to && from.Valid() || slices.Contains(transitions[from], to)
}

// checkTransition returns a wrapped ErrInvalidTransition naming the
// version and the allowed moves.
func checkTransition(name string, version int64, from, to Stage) error {
	if !to.Valid() {
		return fmt.Errorf("model %q version %d: %w: unknown stage %q (want one of generated, validated, deployed, deprecated, rejected)", name, version, ErrInvalidTransition, to)
	}
	if CanTransition(from, to) {
		return nil
	}
	allowed := "none, it is final"
	if next := transitions[from]; len(next) > 0 {
		s := make([]string, len(next))
		for i, n := range next {
			s[i] = string(n)
		}
		allowed = strings.Join(s, ", ")
	}
	return fmt.Errorf("model %q version %d: %w: cannot move from %s to %s (allowed: %s)", name, version, ErrInvalidTransition, from, to, allowed)
}

// Lineage says where a version came from.
type Lineage struct {
	// FlowRun is the id of the flow run that produced the version.
	FlowRun string `json:"flow_run,omitempty"`
	// DataSource names the training data (a path, a topic, a query).
	DataSource string `json:"data_source,omitempty"`
	// Parent is the version this one was derived from (warm start,
	// online update), or 0.
	Parent int64 `json:"parent,omitempty"`
}

// Info is what the caller supplies with a new version.
type Info struct {
	Description string             `json:"description,omitempty"`
	Params      map[string]string  `json:"params,omitempty"`
	Metrics     map[string]float64 `json:"metrics,omitempty"`
	Lineage     Lineage            `json:"lineage"`
}

// Version is one stored model version: its metadata without the blob.
type Version struct {
	Model   string `json:"model"`
	Version int64  `json:"version"`
	Stage   Stage  `json:"stage"`
	Info
	// Size and SHA256 describe the blob; readers verify them.
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// Aliases point at this version, sorted.
	Aliases []string  `json:"aliases,omitempty"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// EventType names a change.
type EventType string

// The event types. Stage changes emit the event of the new stage.
const (
	EventCreated      EventType = "model.created"
	EventValidated    EventType = "model.validated"
	EventDeployed     EventType = "model.deployed"
	EventDeprecated   EventType = "model.deprecated"
	EventRejected     EventType = "model.rejected"
	EventDeleted      EventType = "model.deleted"
	EventAliasSet     EventType = "alias.set"
	EventAliasDeleted EventType = "alias.deleted"
)

func stageEvent(s Stage) EventType {
	switch s {
	case StageValidated:
		return EventValidated
	case StageDeployed:
		return EventDeployed
	case StageDeprecated:
		return EventDeprecated
	case StageRejected:
		return EventRejected
	}
	return EventCreated
}

// Event is one change, numbered by Seq: 1, 2, 3... over the whole store,
// with no gap.
type Event struct {
	Seq     uint64    `json:"seq"`
	Type    EventType `json:"type"`
	Model   string    `json:"model"`
	Version int64     `json:"version,omitempty"`
	// Stage is the version's stage after the change (empty for alias and
	// delete events).
	Stage Stage `json:"stage,omitempty"`
	// Alias is set for alias events.
	Alias string    `json:"alias,omitempty"`
	Time  time.Time `json:"time"`
}

// ListOptions pages through versions in ascending order.
type ListOptions struct {
	// After lists versions greater than After (0: from the first).
	After int64
	// Limit caps the page; 0 means DefaultPageSize, more than MaxPageSize
	// is cut to MaxPageSize.
	Limit int
}

// Page sizes for ListVersions and Events.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

func (o ListOptions) limit() int { return clampLimit(o.Limit) }

func clampLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultPageSize
	case n > MaxPageSize:
		return MaxPageSize
	}
	return n
}

// StageOptions tune SetStage. Nil is the zero value.
type StageOptions struct {
	// KeepOthers leaves the model's other deployed versions deployed when
	// a version is deployed (canary, A/B). By default they move to
	// deprecated in the same atomic change, so a model has one deployed
	// version and deploying an older one is a rollback.
	KeepOthers bool
}

// GCPolicy says which versions GC removes.
type GCPolicy struct {
	// KeepLast keeps the KeepLast highest-numbered versions of each model
	// (it must be at least 1). Deployed versions and versions an alias
	// points at are always kept.
	KeepLast int
}

// Creator stores new versions.
type Creator interface {
	// Create stores blob (typically a modelio.SaveFile .tar, streamed,
	// never held in memory whole) as the next version of model name and
	// emits model.created. Versions are numbered 1, 2, 3... per model by
	// the store, atomically across goroutines and processes; a version is
	// visible only once complete. The new version is StageGenerated.
	Create(ctx context.Context, name string, blob io.Reader, info Info) (Version, error)
}

// Getter reads versions.
type Getter interface {
	// Get returns a version's metadata, or ErrNotFound.
	Get(ctx context.Context, name string, version int64) (Version, error)
	// Latest returns the highest-numbered version of a model.
	Latest(ctx context.Context, name string) (Version, error)
	// OpenBlob streams a version's blob. The reader fails at EOF if the
	// content does not match the stored size and SHA-256. The caller
	// closes it.
	OpenBlob(ctx context.Context, name string, version int64) (io.ReadCloser, error)
}

// Lister enumerates models and versions.
type Lister interface {
	// ListModels returns every model name that ever had a version, sorted.
	ListModels(ctx context.Context) ([]string, error)
	// ListVersions returns one page of a model's versions in ascending
	// order and the After for the next page (0 when there is none).
	ListVersions(ctx context.Context, name string, opts ListOptions) (page []Version, next int64, err error)
	// Deployed returns a model's deployed versions, highest first.
	Deployed(ctx context.Context, name string) ([]Version, error)
}

// Stager moves versions through their lifecycle.
type Stager interface {
	// SetStage moves a version to stage to, emitting the matching event
	// (and model.deprecated for versions it undeploys, see StageOptions).
	// A move CanTransition refuses gives ErrInvalidTransition.
	SetStage(ctx context.Context, name string, version int64, to Stage, opts *StageOptions) (Version, error)
}

// Aliaser names versions ("champion" -> 7).
type Aliaser interface {
	// SetAlias points alias at a version (creating or moving it) and
	// emits alias.set; setting it to where it already points does nothing.
	SetAlias(ctx context.Context, name, alias string, version int64) error
	// DeleteAlias removes an alias and emits alias.deleted, or gives ErrNotFound.
	DeleteAlias(ctx context.Context, name, alias string) error
	// Alias returns the version an alias points at, or ErrNotFound.
	Alias(ctx context.Context, name, alias string) (Version, error)
}

// Deleter removes versions. Numbers of removed versions are never reused.
type Deleter interface {
	// Delete removes a version and emits model.deleted. A deployed or
	// aliased version gives ErrInUse.
	Delete(ctx context.Context, name string, version int64) error
	// GC deletes the versions of model name (every model if name is "")
	// that policy does not keep and returns them.
	GC(ctx context.Context, name string, policy GCPolicy) ([]Version, error)
}

// EventLog is the ordered log of changes with durable subscriber cursors.
// Delivery is at least once; a subscriber that acks each event after
// handling it sees each event exactly once across restarts.
type EventLog interface {
	// Events returns up to limit events with Seq >= from, in order.
	Events(ctx context.Context, from uint64, limit int) ([]Event, error)
	// Watch is Events that blocks until at least one event with
	// Seq >= from exists or ctx ends.
	Watch(ctx context.Context, from uint64) ([]Event, error)
	// Ack records that subscriber handled every event up to seq. Cursors
	// only move forward: an older seq is ignored.
	Ack(ctx context.Context, subscriber string, seq uint64) error
	// Cursor returns the last seq subscriber acked (0 if none).
	Cursor(ctx context.Context, subscriber string) (uint64, error)
}

// Store is the whole model registry. Implementations are safe for
// concurrent use.
type Store interface {
	Creator
	Getter
	Lister
	Stager
	Aliaser
	Deleter
	EventLog
	// Close releases the store's resources.
	Close() error
}

// Sentinel errors, matched with errors.Is.
var (
	ErrNotFound          = errors.New("not found")
	ErrInvalidTransition = errors.New("invalid stage transition")
	ErrInUse             = errors.New("version in use")
	ErrInvalidName       = errors.New("invalid name")
	ErrCorrupt           = errors.New("corrupt blob")
	ErrClosed            = errors.New("store closed")
)

var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// checkName validates a model, alias or subscriber name: 1 to 128 of
// letters, digits, '.', '_' and '-', starting with a letter or digit.
func checkName(what, s string) error {
	if !namePattern.MatchString(s) {
		return fmt.Errorf("%w: %s %q (want 1-128 of [A-Za-z0-9._-], starting with a letter or digit)", ErrInvalidName, what, s)
	}
	return nil
}

// checkAlias also refuses all-digit aliases and "latest", which Resolve
// reads as versions.
func checkAlias(s string) error {
	if err := checkName("alias", s); err != nil {
		return err
	}
	if strings.Trim(s, "0123456789") == "" || s == "latest" {
		return fmt.Errorf("%w: alias %q is reserved (a number or \"latest\")", ErrInvalidName, s)
	}
	return nil
}

func checkVersion(name string, v int64) error {
	if err := checkName("model", name); err != nil {
		return err
	}
	if v < 1 {
		return fmt.Errorf("model %q: %w: version %d (versions start at 1)", name, ErrNotFound, v)
	}
	return nil
}

func checkInfo(info Info) error {
	if info.Lineage.Parent < 0 {
		return fmt.Errorf("lineage.parent: %d is negative", info.Lineage.Parent)
	}
	return nil
}

func checkPolicy(p GCPolicy) error {
	if p.KeepLast < 1 {
		return fmt.Errorf("gc policy: keep_last %d must be at least 1", p.KeepLast)
	}
	return nil
}

// gcVictims picks, from one model's versions in ascending order, those
// policy removes.
func gcVictims(vs []Version, p GCPolicy) []Version {
	var out []Version
	for i, v := range vs {
		if i >= len(vs)-p.KeepLast || v.Stage == StageDeployed || len(v.Aliases) > 0 {
			continue
		}
		out = append(out, v)
	}
	return out
}

// Resolve finds a version by reference: a number ("7"), "latest", or an
// alias, optionally written with a leading '@' ("@champion").
func Resolve(ctx context.Context, s interface {
	Getter
	Aliaser
}, name, ref string) (Version, error) {
	ref = strings.TrimPrefix(ref, "@")
	if ref == "latest" {
		return s.Latest(ctx, name)
	}
	if ref != "" && strings.Trim(ref, "0123456789") == "" {
		var v int64
		if _, err := fmt.Sscan(ref, &v); err != nil {
			return Version{}, fmt.Errorf("model %q: version %q: %w", name, ref, err)
		}
		return s.Get(ctx, name, v)
	}
	return s.Alias(ctx, name, ref)
}
