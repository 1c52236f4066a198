package checkpoint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrNoCheckpoint is returned by Storage.Latest when no checkpoint has
// completed.
var ErrNoCheckpoint = errors.New("no complete checkpoint")

// ManifestFile is the name of a checkpoint's manifest, written last.
const ManifestFile = "_manifest.json"

// Manifest describes one complete checkpoint. Its presence is what makes
// the checkpoint complete.
type Manifest struct {
	ID           int64     `json:"id"`
	Job          string    `json:"job"`
	Time         time.Time `json:"time"`
	MaxKeyGroups int       `json:"max_key_groups"`
	// Sources maps a source name to the table.Seeker offset of each of its
	// subtasks at the barrier (-1 for readers that cannot seek).
	Sources map[string][]int64 `json:"sources"`
	// Nodes maps an operator or sink name to the files of its subtasks.
	Nodes map[string]NodeState `json:"nodes"`
	// Size is the total size of the subtask files in bytes.
	Size int64 `json:"size"`
	// Final marks the checkpoint a bounded job takes once all its sources
	// ended and every operator finished: restoring from it only completes
	// the sinks' last commit, nothing is processed again.
	Final bool `json:"final,omitempty"`
}

// NodeState lists the snapshot files of one node.
type NodeState struct {
	Parallelism int `json:"parallelism"`
	// Files holds one file name per subtask, "" for a subtask that had
	// nothing to store.
	Files []string `json:"files"`
}

// Storage keeps checkpoints. A checkpoint is written as Begin, any number
// of WriteFile calls (concurrently, one per subtask), then Commit, which
// stores the manifest last and atomically: a checkpoint whose Commit did
// not return is never returned by Latest, and the previous complete one is
// left intact. Implementations are safe for concurrent use.
type Storage interface {
	// Begin prepares checkpoint id, discarding any partial leftovers of an
	// earlier attempt with the same id.
	Begin(ctx context.Context, id int64) error
	// WriteFile stores one file of checkpoint id durably.
	WriteFile(ctx context.Context, id int64, name string, data []byte) error
	// Commit stores m as the manifest of checkpoint m.ID, making it
	// complete, then drops checkpoints beyond the retention.
	Commit(ctx context.Context, m *Manifest) error
	// Latest returns the manifest of the newest complete checkpoint, or
	// ErrNoCheckpoint.
	Latest(ctx context.Context) (*Manifest, error)
	// ReadFile reads one file of a complete checkpoint.
	ReadFile(ctx context.Context, id int64, name string) ([]byte, error)
}

// DefaultRetained is the number of complete checkpoints kept by default.
const DefaultRetained = 3

func validName(name string) error {
	if name == "" || name == ManifestFile || strings.ContainsAny(name, `/\`) || name == "." || name == ".." || strings.HasPrefix(name, ".tmp") {
		return fmt.Errorf("checkpoint file name %q is not a plain file name", name)
	}
	return nil
}

// Dir is a Storage in a local directory: checkpoint n lives in DIR/chk-<n>/,
// one file per subtask plus the manifest. Every file is written to a
// temporary name, fsynced and renamed; the manifest goes last, and the
// directory is fsynced after each rename, so a crash at any point leaves
// the previous complete checkpoint readable.
type Dir struct {
	dir  string
	keep int
	mu   sync.Mutex // serialises Commit's retention sweep
}

// NewDir returns a Storage in dir (created if needed) keeping the last keep
// complete checkpoints (DefaultRetained when keep < 1).
func NewDir(dir string, keep int) (*Dir, error) {
	if keep < 1 {
		keep = DefaultRetained
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("checkpoint dir: %w", err)
	}
	return &Dir{dir: dir, keep: keep}, nil
}

// Path returns the directory.
func (d *Dir) Path() string { return d.dir }

func (d *Dir) chk(id int64) string { return filepath.Join(d.dir, fmt.Sprintf("chk-%d", id)) }

// Begin implements Storage.
func (d *Dir) Begin(_ context.Context, id int64) error {
	p := d.chk(id)
	if err := os.RemoveAll(p); err != nil {
		return fmt.Errorf("checkpoint %d: %w", id, err)
	}
	if err := os.MkdirAll(p, 0o755); err != nil {
		return fmt.Errorf("checkpoint %d: %w", id, err)
	}
	return nil
}

// WriteFile implements Storage.
func (d *Dir) WriteFile(ctx context.Context, id int64, name string, data []byte) error {
	if err := validName(name); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := writeAtomic(d.chk(id), name, data); err != nil {
		return fmt.Errorf("checkpoint %d: %w", id, err)
	}
	return nil
}

// Commit implements Storage.
func (d *Dir) Commit(ctx context.Context, m *Manifest) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("checkpoint %d: manifest: %w", m.ID, err)
	}
	if err := writeAtomic(d.chk(m.ID), ManifestFile, data); err != nil {
		return fmt.Errorf("checkpoint %d: manifest: %w", m.ID, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.sweep(m.ID)
}

// sweep removes every checkpoint directory older than the keep newest
// complete ones, and incomplete ones older than last.
func (d *Dir) sweep(last int64) error {
	ids, err := d.ids()
	if err != nil {
		return err
	}
	var complete []int64
	for _, id := range ids {
		if _, err := os.Stat(filepath.Join(d.chk(id), ManifestFile)); err == nil {
			complete = append(complete, id)
		}
	}
	if len(complete) == 0 {
		return nil
	}
	// ids and complete are ascending.
	oldestKept := complete[max(0, len(complete)-d.keep)]
	var errs []error
	for _, id := range ids {
		if id < oldestKept || (id < last && !slices.Contains(complete, id)) {
			if err := os.RemoveAll(d.chk(id)); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("checkpoint retention: %w", err)
	}
	return nil
}

// ids returns the checkpoint ids present in the directory, ascending.
func (d *Dir) ids() ([]int64, error) {
	ents, err := os.ReadDir(d.dir)
	if err != nil {
		return nil, fmt.Errorf("checkpoint dir: %w", err)
	}
	var ids []int64
	for _, e := range ents {
		s, ok := strings.CutPrefix(e.Name(), "chk-")
		if !ok || !e.IsDir() {
			continue
		}
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id < 1 {
			continue
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, nil
}

// Latest implements Storage. A manifest that does not parse (which the
// atomic rename rules out, unless the file was tampered with) is skipped
// for the previous one.
func (d *Dir) Latest(context.Context) (*Manifest, error) {
	ids, err := d.ids()
	if err != nil {
		return nil, err
	}
	for i := len(ids) - 1; i >= 0; i-- {
		data, err := os.ReadFile(filepath.Join(d.chk(ids[i]), ManifestFile))
		if err != nil {
			continue
		}
		m, err := ParseManifest(data)
		if err != nil || m.ID != ids[i] {
			continue
		}
		return m, nil
	}
	return nil, ErrNoCheckpoint
}

// ReadFile implements Storage.
func (d *Dir) ReadFile(_ context.Context, id int64, name string) ([]byte, error) {
	if err := validName(name); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(d.chk(id), name))
	if err != nil {
		return nil, fmt.Errorf("checkpoint %d: %w", id, err)
	}
	return data, nil
}

// ParseManifest decodes a manifest and checks it.
func ParseManifest(data []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if m.ID < 1 {
		return nil, fmt.Errorf("manifest: id %d: want at least 1", m.ID)
	}
	if m.MaxKeyGroups < 1 {
		return nil, fmt.Errorf("manifest: max_key_groups %d: want at least 1", m.MaxKeyGroups)
	}
	for name, n := range m.Nodes {
		if n.Parallelism < 1 || len(n.Files) != n.Parallelism {
			return nil, fmt.Errorf("manifest: node %q: %d files for parallelism %d", name, len(n.Files), n.Parallelism)
		}
		for _, f := range n.Files {
			if f != "" {
				if err := validName(f); err != nil {
					return nil, fmt.Errorf("manifest: node %q: %w", name, err)
				}
			}
		}
	}
	return &m, nil
}

// writeAtomic writes dir/name through a temporary file: write, fsync,
// rename, fsync dir.
func writeAtomic(dir, name string, data []byte) (err error) {
	f, err := os.CreateTemp(dir, ".tmp-"+name+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return err
	}
	return SyncDir(dir)
}

// SyncDir fsyncs a directory so that renames in it are durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	serr := d.Sync()
	cerr := d.Close()
	return errors.Join(serr, cerr)
}

// Memory is a Storage in memory, for jobs that recover in place only (no
// restart of the process). It keeps the last keep complete checkpoints.
type Memory struct {
	mu        sync.Mutex
	keep      int
	files     map[int64]map[string][]byte
	manifests map[int64]*Manifest
}

// NewMemory returns an empty in-memory storage (keep < 1 means
// DefaultRetained).
func NewMemory(keep int) *Memory {
	if keep < 1 {
		keep = DefaultRetained
	}
	return &Memory{keep: keep, files: map[int64]map[string][]byte{}, manifests: map[int64]*Manifest{}}
}

// Begin implements Storage.
func (s *Memory) Begin(_ context.Context, id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[id] = map[string][]byte{}
	delete(s.manifests, id)
	return nil
}

// WriteFile implements Storage.
func (s *Memory) WriteFile(_ context.Context, id int64, name string, data []byte) error {
	if err := validName(name); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fs, ok := s.files[id]
	if !ok {
		return fmt.Errorf("checkpoint %d: not begun", id)
	}
	fs[name] = slices.Clone(data)
	return nil
}

// Commit implements Storage.
func (s *Memory) Commit(_ context.Context, m *Manifest) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.files[m.ID]; !ok {
		return fmt.Errorf("checkpoint %d: not begun", m.ID)
	}
	cp := *m
	s.manifests[m.ID] = &cp
	ids := make([]int64, 0, len(s.manifests))
	for id := range s.manifests {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	oldestKept := ids[max(0, len(ids)-s.keep)]
	for id := range s.files {
		if id < oldestKept || (id < m.ID && s.manifests[id] == nil) {
			delete(s.files, id)
			delete(s.manifests, id)
		}
	}
	return nil
}

// Latest implements Storage.
func (s *Memory) Latest(context.Context) (*Manifest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var best *Manifest
	for _, m := range s.manifests {
		if best == nil || m.ID > best.ID {
			best = m
		}
	}
	if best == nil {
		return nil, ErrNoCheckpoint
	}
	cp := *best
	return &cp, nil
}

// ReadFile implements Storage.
func (s *Memory) ReadFile(_ context.Context, id int64, name string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	data, ok := s.files[id][name]
	if !ok || s.manifests[id] == nil {
		return nil, fmt.Errorf("checkpoint %d: file %q not found", id, name)
	}
	return data, nil
}
