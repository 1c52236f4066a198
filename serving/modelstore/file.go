package modelstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// File layout under the store directory (see doc.go):
//
//	.lock                          flock'ed by every change
//	journal.json                   redo log of the change in progress
//	tmp/                           uploads being written
//	trash/                         deleted versions being removed
//	events/<seq>.json              one file per event, seq zero-padded
//	cursors/<subscriber>.json      acked seq per subscriber
//	models/<name>/counter          highest version number ever assigned
//	models/<name>/aliases.json     alias -> version
//	models/<name>/versions/<v>/    meta.json + blob; visible once renamed here
const (
	fileLock     = ".lock"
	fileJournal  = "journal.json"
	dirTmp       = "tmp"
	dirTrash     = "trash"
	dirEvents    = "events"
	dirCursors   = "cursors"
	dirModels    = "models"
	fileMeta     = "meta.json"
	fileBlob     = "blob"
	fileCounter  = "counter"
	fileAliases  = "aliases.json"
	staleTmpAge  = time.Hour
	defaultPoll  = 100 * time.Millisecond
	numberDigits = 20
)

// FileStore is the embedded backend: a directory on the local file
// system, shared safely by goroutines and processes.
type FileStore struct {
	dir  string
	now  func() time.Time
	poll time.Duration

	mu      sync.Mutex // serialises changes in this process; flock serialises processes
	lock    *os.File
	lastSeq uint64 // highest event seq seen; guarded by mu
	closed  bool

	wakeMu sync.Mutex
	wake   chan struct{} // closed and replaced when this process appends events
}

var _ Store = (*FileStore)(nil)

// OpenDir opens (creating if needed) a file store in dir. It finishes a
// change a crashed process left half done and removes stale uploads.
func OpenDir(dir string, opts *Options) (*FileStore, error) {
	if dir == "" {
		return nil, errors.New("open file store: empty directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open file store %s: %w", dir, err)
	}
	for _, d := range []string{dirTmp, dirTrash, dirEvents, dirCursors, dirModels} {
		if err := os.MkdirAll(filepath.Join(abs, d), 0o755); err != nil {
			return nil, fmt.Errorf("open file store: %w", err)
		}
	}
	lf, err := os.OpenFile(filepath.Join(abs, fileLock), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open file store: %w", err)
	}
	s := &FileStore{dir: abs, now: opts.now(), poll: opts.pollInterval(), lock: lf, wake: make(chan struct{})}
	if err := s.locked(func() error {
		s.removeStale(filepath.Join(abs, dirTmp))
		s.removeStale(filepath.Join(abs, dirTrash))
		return nil
	}); err != nil {
		lf.Close()
		return nil, fmt.Errorf("open file store %s: %w", abs, err)
	}
	return s, nil
}

// Dir returns the store's directory.
func (s *FileStore) Dir() string { return s.dir }

// Close releases the lock file. Calls after Close fail with ErrClosed.
func (s *FileStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return s.lock.Close()
}

func (s *FileStore) removeStale(dir string) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if fi, err := e.Info(); err == nil && (dir == filepath.Join(s.dir, dirTrash) || time.Since(fi.ModTime()) > staleTmpAge) {
			_ = os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// locked runs fn holding the process mutex and the directory flock, after
// replaying any journal and catching up with events other processes wrote.
func (s *FileStore) locked(fn func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if err := flock(s.lock); err != nil {
		return fmt.Errorf("lock %s: %w", s.lock.Name(), err)
	}
	defer funlock(s.lock)
	if err := s.recover(); err != nil {
		return err
	}
	s.lastSeq = s.probeSeq(s.lastSeq)
	known := s.lastSeq
	err := fn()
	if err != nil {
		// fn may have numbered events it did not write.
		s.lastSeq = s.probeSeq(known)
	}
	return err
}

func (s *FileStore) path(parts ...string) string {
	return filepath.Join(append([]string{s.dir}, parts...)...)
}

func num(n uint64) string { return fmt.Sprintf("%0*d", numberDigits, n) }

func (s *FileStore) versionDir(name string, v int64) string {
	return s.path(dirModels, name, "versions", num(uint64(v)))
}

func (s *FileStore) eventPath(seq uint64) string { return s.path(dirEvents, num(seq)+".json") }

// probeSeq returns the highest event seq, starting from a known one:
// events are dense, so it gallops then bisects over file existence.
func (s *FileStore) probeSeq(known uint64) uint64 {
	exists := func(n uint64) bool { _, err := os.Stat(s.eventPath(n)); return err == nil }
	lo, step := known, uint64(1)
	for exists(lo + step) {
		lo += step
		step *= 2
	}
	hi := lo + step // missing
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if exists(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// --- journal: every change is written as a redo log first ---

type fileOp struct {
	Op   string          `json:"op"` // write | rename | remove
	Path string          `json:"path"`
	To   string          `json:"to,omitempty"`
	Data json.RawMessage `json:"data,omitempty"`
}

type journal struct {
	Ops    []fileOp `json:"ops"`
	Events []Event  `json:"events"`
}

func (j *journal) write(rel string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	j.Ops = append(j.Ops, fileOp{Op: "write", Path: rel, Data: b})
	return nil
}

// commit makes j durable, applies it and removes it. The caller holds the
// lock and has assigned event seqs after s.lastSeq.
func (s *FileStore) commit(j *journal) error { return s.commitThen(j, nil) }

// commitThen is commit calling durable once the journal is on disk (from
// then on the change happens, if not now then at the next recovery).
func (s *FileStore) commitThen(j *journal, durable func()) error {
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(s.path(fileJournal), b); err != nil {
		return fmt.Errorf("write journal: %w", err)
	}
	if durable != nil {
		durable()
	}
	return s.apply(j)
}

// recover replays a journal a crashed process left behind.
func (s *FileStore) recover() error {
	b, err := os.ReadFile(s.path(fileJournal))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read journal: %w", err)
	}
	var j journal
	if err := json.Unmarshal(b, &j); err != nil {
		// The journal is written atomically, so this is outside damage.
		return fmt.Errorf("journal %s: %w", s.path(fileJournal), err)
	}
	return s.apply(&j)
}

// apply performs j's operations idempotently, then its events, then
// removes the journal.
func (s *FileStore) apply(j *journal) error {
	for _, op := range j.Ops {
		p := s.path(op.Path)
		var err error
		switch op.Op {
		case "write":
			if err = os.MkdirAll(filepath.Dir(p), 0o755); err == nil {
				err = writeFileAtomic(p, op.Data)
			}
		case "rename":
			if _, statErr := os.Stat(p); statErr == nil {
				to := s.path(op.To)
				if err = os.MkdirAll(filepath.Dir(to), 0o755); err == nil {
					if err = os.Rename(p, to); err == nil {
						err = errors.Join(syncDir(filepath.Dir(to)), syncDir(filepath.Dir(p)))
					}
				}
			}
		case "remove":
			err = os.RemoveAll(p)
		default:
			err = fmt.Errorf("unknown op %q", op.Op)
		}
		if err != nil {
			return fmt.Errorf("journal %s %s: %w", op.Op, op.Path, err)
		}
	}
	for _, ev := range j.Events {
		if _, err := os.Stat(s.eventPath(ev.Seq)); err == nil {
			continue
		}
		b, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		if err := writeFileAtomic(s.eventPath(ev.Seq), b); err != nil {
			return fmt.Errorf("write event %d: %w", ev.Seq, err)
		}
		s.lastSeq = max(s.lastSeq, ev.Seq)
	}
	if err := os.Remove(s.path(fileJournal)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove journal: %w", err)
	}
	if err := syncDir(s.dir); err != nil {
		return err
	}
	if len(j.Events) > 0 {
		s.wakeMu.Lock()
		close(s.wake)
		s.wake = make(chan struct{})
		s.wakeMu.Unlock()
	}
	return nil
}

func (s *FileStore) event(t EventType, name string, v int64, st Stage, alias string) Event {
	s.lastSeq++
	return Event{Seq: s.lastSeq, Type: t, Model: name, Version: v, Stage: st, Alias: alias, Time: s.now().UTC()}
}

// --- reads (no lock: every file is replaced atomically) ---

func readJSON(p string, v any) error {
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	return nil
}

func (s *FileStore) aliases(name string) (map[string]int64, error) {
	m := map[string]int64{}
	err := readJSON(s.path(dirModels, name, fileAliases), &m)
	if errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	return m, err
}

func aliasesOf(m map[string]int64, v int64) []string {
	var out []string
	for a, av := range m {
		if av == v {
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}

// meta reads a version's metadata without aliases.
func (s *FileStore) meta(name string, v int64) (Version, error) {
	var m Version
	err := readJSON(filepath.Join(s.versionDir(name, v), fileMeta), &m)
	if errors.Is(err, fs.ErrNotExist) {
		return m, fmt.Errorf("model %q version %d: %w", name, v, ErrNotFound)
	}
	return m, err
}

func (s *FileStore) withAliases(m Version) (Version, error) {
	al, err := s.aliases(m.Model)
	m.Aliases = aliasesOf(al, m.Version)
	return m, err
}

// versions lists a model's visible version numbers in ascending order.
func (s *FileStore) versions(name string) ([]int64, error) {
	ents, err := os.ReadDir(s.path(dirModels, name, "versions"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, e := range ents {
		if n, err := strconv.ParseInt(e.Name(), 10, 64); err == nil && len(e.Name()) == numberDigits {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (s *FileStore) checkOpen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	return nil
}

// Get implements Getter.
func (s *FileStore) Get(ctx context.Context, name string, version int64) (Version, error) {
	if err := errors.Join(checkVersion(name, version), s.checkOpen()); err != nil {
		return Version{}, err
	}
	m, err := s.meta(name, version)
	if err != nil {
		return Version{}, err
	}
	return s.withAliases(m)
}

// Latest implements Getter.
func (s *FileStore) Latest(ctx context.Context, name string) (Version, error) {
	if err := errors.Join(checkName("model", name), s.checkOpen()); err != nil {
		return Version{}, err
	}
	vs, err := s.versions(name)
	if err != nil {
		return Version{}, err
	}
	for i := len(vs) - 1; i >= 0; i-- {
		v, err := s.Get(ctx, name, vs[i])
		if errors.Is(err, ErrNotFound) {
			continue // deleted meanwhile
		}
		return v, err
	}
	return Version{}, fmt.Errorf("model %q: %w: no versions", name, ErrNotFound)
}

// OpenBlob implements Getter.
func (s *FileStore) OpenBlob(ctx context.Context, name string, version int64) (io.ReadCloser, error) {
	if err := errors.Join(checkVersion(name, version), s.checkOpen()); err != nil {
		return nil, err
	}
	m, err := s.meta(name, version)
	if err != nil {
		return nil, err
	}
	p := filepath.Join(s.versionDir(name, version), fileBlob)
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("model %q version %d: %w", name, version, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return newVerifyingReader(ctxReader{ctx, f}, f, p, m.Size, m.SHA256), nil
}

// ListModels implements Lister.
func (s *FileStore) ListModels(ctx context.Context) ([]string, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(s.path(dirModels))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() && namePattern.MatchString(e.Name()) {
			if _, err := os.Stat(s.path(dirModels, e.Name(), fileCounter)); err == nil {
				out = append(out, e.Name())
			}
		}
	}
	return out, nil
}

// ListVersions implements Lister.
func (s *FileStore) ListVersions(ctx context.Context, name string, opts ListOptions) ([]Version, int64, error) {
	if err := errors.Join(checkName("model", name), s.checkOpen()); err != nil {
		return nil, 0, err
	}
	return s.listVersions(name, opts)
}

// listVersions is ListVersions without the checks (callable under lock).
func (s *FileStore) listVersions(name string, opts ListOptions) ([]Version, int64, error) {
	vs, err := s.versions(name)
	if err != nil {
		return nil, 0, err
	}
	al, err := s.aliases(name)
	if err != nil {
		return nil, 0, err
	}
	i, _ := slices.BinarySearch(vs, opts.After+1)
	vs = vs[i:]
	limit := opts.limit()
	var next int64
	if len(vs) > limit {
		vs = vs[:limit]
		next = vs[limit-1]
	}
	out := make([]Version, 0, len(vs))
	for _, v := range vs {
		m, err := s.meta(name, v)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		m.Aliases = aliasesOf(al, v)
		out = append(out, m)
	}
	return out, next, nil
}

// all returns every version of a model with aliases, ascending.
func (s *FileStore) all(name string) ([]Version, error) {
	var out []Version
	var after int64
	for {
		page, next, err := s.listVersions(name, ListOptions{After: after, Limit: MaxPageSize})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if next == 0 {
			return out, nil
		}
		after = next
	}
}

// Deployed implements Lister.
func (s *FileStore) Deployed(ctx context.Context, name string) ([]Version, error) {
	if err := errors.Join(checkName("model", name), s.checkOpen()); err != nil {
		return nil, err
	}
	all, err := s.all(name)
	if err != nil {
		return nil, err
	}
	var out []Version
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Stage == StageDeployed {
			out = append(out, all[i])
		}
	}
	return out, nil
}

// --- changes ---

func randomName(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// Create implements Creator. The blob is streamed to a temporary
// directory and fsynced before the lock is taken; the version becomes
// visible by renaming that directory into place.
func (s *FileStore) Create(ctx context.Context, name string, blob io.Reader, info Info) (Version, error) {
	if err := errors.Join(checkName("model", name), checkInfo(info), s.checkOpen()); err != nil {
		return Version{}, fmt.Errorf("create: %w", err)
	}
	tmpRel := filepath.Join(dirTmp, randomName("v-"))
	tmp := s.path(tmpRel)
	if err := os.Mkdir(tmp, 0o755); err != nil {
		return Version{}, fmt.Errorf("create %q: %w", name, err)
	}
	published := false
	defer func() {
		if !published {
			_ = os.RemoveAll(tmp)
		}
	}()
	hr := newHashingReader(ctxReader{ctx, blob})
	if err := writeFileSync(filepath.Join(tmp, fileBlob), hr); err != nil {
		return Version{}, fmt.Errorf("create %q: write blob: %w", name, err)
	}
	var out Version
	err := s.locked(func() error {
		var counter int64
		if err := readJSON(s.path(dirModels, name, fileCounter), &counter); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		vs, err := s.versions(name)
		if err != nil {
			return err
		}
		if len(vs) > 0 {
			counter = max(counter, vs[len(vs)-1])
		}
		now := s.now().UTC()
		out = Version{Model: name, Version: counter + 1, Stage: StageGenerated, Info: info,
			Size: hr.n, SHA256: hr.sum(), Created: now, Updated: now}
		b, err := json.Marshal(out)
		if err != nil {
			return err
		}
		if err := writeFileSync(filepath.Join(tmp, fileMeta), strings.NewReader(string(b))); err != nil {
			return err
		}
		if err := syncDir(tmp); err != nil {
			return err
		}
		j := &journal{}
		j.Ops = append(j.Ops, fileOp{Op: "rename", Path: tmpRel, To: filepath.Join(dirModels, name, "versions", num(uint64(out.Version)))})
		if err := j.write(filepath.Join(dirModels, name, fileCounter), out.Version); err != nil {
			return err
		}
		j.Events = []Event{s.event(EventCreated, name, out.Version, StageGenerated, "")}
		return s.commitThen(j, func() { published = true })
	})
	if err != nil {
		return Version{}, fmt.Errorf("create %q: %w", name, err)
	}
	return out, nil
}

// SetStage implements Stager.
func (s *FileStore) SetStage(ctx context.Context, name string, version int64, to Stage, opts *StageOptions) (Version, error) {
	if err := checkVersion(name, version); err != nil {
		return Version{}, err
	}
	var out Version
	err := s.locked(func() error {
		m, err := s.meta(name, version)
		if err != nil {
			return err
		}
		if err := checkTransition(name, version, m.Stage, to); err != nil {
			return err
		}
		if m.Stage == to {
			out, err = s.withAliases(m)
			return err
		}
		now := s.now().UTC()
		j := &journal{}
		m.Stage, m.Updated = to, now
		if err := j.write(s.rel(s.versionDir(name, version), fileMeta), m); err != nil {
			return err
		}
		j.Events = append(j.Events, s.event(stageEvent(to), name, version, to, ""))
		if to == StageDeployed && (opts == nil || !opts.KeepOthers) {
			vs, err := s.versions(name)
			if err != nil {
				return err
			}
			for _, v := range vs {
				if v == version {
					continue
				}
				o, err := s.meta(name, v)
				if err != nil {
					return err
				}
				if o.Stage != StageDeployed {
					continue
				}
				o.Stage, o.Updated = StageDeprecated, now
				if err := j.write(s.rel(s.versionDir(name, v), fileMeta), o); err != nil {
					return err
				}
				j.Events = append(j.Events, s.event(EventDeprecated, name, v, StageDeprecated, ""))
			}
		}
		if err := s.commit(j); err != nil {
			return err
		}
		out, err = s.withAliases(m)
		return err
	})
	if err != nil {
		return Version{}, fmt.Errorf("set stage: %w", err)
	}
	return out, nil
}

func (s *FileStore) rel(parts ...string) string {
	r, _ := filepath.Rel(s.dir, filepath.Join(parts...))
	return r
}

// SetAlias implements Aliaser.
func (s *FileStore) SetAlias(ctx context.Context, name, alias string, version int64) error {
	if err := errors.Join(checkVersion(name, version), checkAlias(alias)); err != nil {
		return fmt.Errorf("set alias: %w", err)
	}
	err := s.locked(func() error {
		if _, err := s.meta(name, version); err != nil {
			return err
		}
		al, err := s.aliases(name)
		if err != nil {
			return err
		}
		if cur, ok := al[alias]; ok && cur == version {
			return nil
		}
		al[alias] = version
		j := &journal{}
		if err := j.write(filepath.Join(dirModels, name, fileAliases), al); err != nil {
			return err
		}
		j.Events = []Event{s.event(EventAliasSet, name, version, "", alias)}
		return s.commit(j)
	})
	if err != nil {
		return fmt.Errorf("set alias %q: %w", alias, err)
	}
	return nil
}

// DeleteAlias implements Aliaser.
func (s *FileStore) DeleteAlias(ctx context.Context, name, alias string) error {
	if err := errors.Join(checkName("model", name), checkAlias(alias)); err != nil {
		return fmt.Errorf("delete alias: %w", err)
	}
	err := s.locked(func() error {
		al, err := s.aliases(name)
		if err != nil {
			return err
		}
		v, ok := al[alias]
		if !ok {
			return fmt.Errorf("model %q alias %q: %w", name, alias, ErrNotFound)
		}
		delete(al, alias)
		j := &journal{}
		if err := j.write(filepath.Join(dirModels, name, fileAliases), al); err != nil {
			return err
		}
		j.Events = []Event{s.event(EventAliasDeleted, name, v, "", alias)}
		return s.commit(j)
	})
	if err != nil {
		return fmt.Errorf("delete alias %q: %w", alias, err)
	}
	return nil
}

// Alias implements Aliaser.
func (s *FileStore) Alias(ctx context.Context, name, alias string) (Version, error) {
	if err := errors.Join(checkName("model", name), checkAlias(alias), s.checkOpen()); err != nil {
		return Version{}, err
	}
	al, err := s.aliases(name)
	if err != nil {
		return Version{}, err
	}
	v, ok := al[alias]
	if !ok {
		return Version{}, fmt.Errorf("model %q alias %q: %w", name, alias, ErrNotFound)
	}
	return s.Get(ctx, name, v)
}

// deleteOps adds the removal of a version to j; the caller checked it.
func (s *FileStore) deleteOps(j *journal, name string, v int64) {
	trash := filepath.Join(dirTrash, randomName("d-"))
	j.Ops = append(j.Ops,
		fileOp{Op: "rename", Path: s.rel(s.versionDir(name, v)), To: trash},
		fileOp{Op: "remove", Path: trash})
	j.Events = append(j.Events, s.event(EventDeleted, name, v, "", ""))
}

// Delete implements Deleter.
func (s *FileStore) Delete(ctx context.Context, name string, version int64) error {
	if err := checkVersion(name, version); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	err := s.locked(func() error {
		m, err := s.meta(name, version)
		if err != nil {
			return err
		}
		if m, err = s.withAliases(m); err != nil {
			return err
		}
		if err := inUse(m); err != nil {
			return err
		}
		j := &journal{}
		s.deleteOps(j, name, version)
		return s.commit(j)
	})
	if err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	return nil
}

func inUse(m Version) error {
	if m.Stage == StageDeployed {
		return fmt.Errorf("model %q version %d: %w: it is deployed (deprecate it first)", m.Model, m.Version, ErrInUse)
	}
	if len(m.Aliases) > 0 {
		return fmt.Errorf("model %q version %d: %w: aliases %v point at it", m.Model, m.Version, ErrInUse, m.Aliases)
	}
	return nil
}

// GC implements Deleter.
func (s *FileStore) GC(ctx context.Context, name string, policy GCPolicy) ([]Version, error) {
	if err := checkPolicy(policy); err != nil {
		return nil, err
	}
	names := []string{name}
	if name == "" {
		var err error
		if names, err = s.ListModels(ctx); err != nil {
			return nil, err
		}
	} else if err := checkName("model", name); err != nil {
		return nil, err
	}
	var removed []Version
	err := s.locked(func() error {
		j := &journal{}
		for _, n := range names {
			all, err := s.all(n)
			if err != nil {
				return err
			}
			for _, v := range gcVictims(all, policy) {
				s.deleteOps(j, n, v.Version)
				removed = append(removed, v)
			}
		}
		if len(j.Ops) == 0 {
			return nil
		}
		return s.commit(j)
	})
	if err != nil {
		return nil, fmt.Errorf("gc: %w", err)
	}
	return removed, nil
}

// --- events ---

// Events implements EventLog.
func (s *FileStore) Events(ctx context.Context, from uint64, limit int) ([]Event, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	from = max(from, 1)
	limit = clampLimit(limit)
	var out []Event
	for seq := from; len(out) < limit; seq++ {
		var ev Event
		err := readJSON(s.eventPath(seq), &ev)
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", seq, err)
		}
		out = append(out, ev)
	}
	return out, nil
}

// Watch implements EventLog. Changes made by this FileStore wake it at
// once; changes by other processes are seen within Options.PollInterval.
func (s *FileStore) Watch(ctx context.Context, from uint64) ([]Event, error) {
	t := time.NewTicker(s.poll)
	defer t.Stop()
	for {
		s.wakeMu.Lock()
		wake := s.wake
		s.wakeMu.Unlock()
		evs, err := s.Events(ctx, from, 0)
		if err != nil || len(evs) > 0 {
			return evs, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-wake:
		case <-t.C:
		}
	}
}

// Ack implements EventLog.
func (s *FileStore) Ack(ctx context.Context, subscriber string, seq uint64) error {
	if err := checkName("subscriber", subscriber); err != nil {
		return fmt.Errorf("ack: %w", err)
	}
	err := s.locked(func() error {
		if seq > s.lastSeq {
			return fmt.Errorf("seq %d is past the last event %d", seq, s.lastSeq)
		}
		var cur uint64
		p := s.path(dirCursors, subscriber+".json")
		if err := readJSON(p, &cur); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if seq <= cur {
			return nil
		}
		b, _ := json.Marshal(seq)
		return writeFileAtomic(p, b)
	})
	if err != nil {
		return fmt.Errorf("ack %q: %w", subscriber, err)
	}
	return nil
}

// Cursor implements EventLog.
func (s *FileStore) Cursor(ctx context.Context, subscriber string) (uint64, error) {
	if err := errors.Join(checkName("subscriber", subscriber), s.checkOpen()); err != nil {
		return 0, fmt.Errorf("cursor: %w", err)
	}
	var cur uint64
	if err := readJSON(s.path(dirCursors, subscriber+".json"), &cur); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return 0, fmt.Errorf("cursor %q: %w", subscriber, err)
	}
	return cur, nil
}

// --- file helpers ---

// writeFileSync writes r to a new file p and fsyncs it.
func writeFileSync(p string, r io.Reader) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// writeFileAtomic replaces p with data: temp file, fsync, rename, fsync
// of the directory.
func writeFileAtomic(p string, data []byte) error {
	tmp := filepath.Join(filepath.Dir(p), randomName(".tmp-"))
	if err := writeFileSync(tmp, strings.NewReader(string(data))); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, p); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(p))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	return errors.Join(err, d.Close())
}
