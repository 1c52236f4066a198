package modelio

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/registry"
)

// Options tune Save and Load. The zero value (or nil) is ready to use.
type Options struct {
	// Env resolves kinds: Save refuses a stage whose kind it does not
	// know (it could not be loaded back) and Load builds stages with it.
	// Nil means registry.Global().
	Env *registry.Environment
	// Allocator serves Arrow IPC encoding; nil means
	// memory.DefaultAllocator. (Load decodes into garbage-collected
	// memory, which the loaded models copy anyway.)
	Allocator memory.Allocator
	// Now stamps the metadata; nil means time.Now.
	Now func() time.Time
	// EddyVersion is recorded in the metadata; empty means the version of
	// the main module from the build info, or "dev".
	EddyVersion string
	// Overwrite lets Save replace an existing directory or file.
	Overwrite bool
}

func (o *Options) env() *registry.Environment {
	if o == nil || o.Env == nil {
		return registry.Global()
	}
	return o.Env
}

func (o *Options) mem() memory.Allocator {
	if o == nil || o.Allocator == nil {
		return memory.DefaultAllocator
	}
	return o.Allocator
}

func (o *Options) now() time.Time {
	if o == nil || o.Now == nil {
		return time.Now().UTC()
	}
	return o.Now().UTC()
}

func (o *Options) eddyVersion() string {
	if o != nil && o.EddyVersion != "" {
		return o.EddyVersion
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}

// IsFile reports whether path names the single-file form (".tar").
func IsFile(path string) bool { return strings.EqualFold(filepath.Ext(path), ".tar") }

// Save writes s to path: a single tar file when path ends in ".tar"
// (SaveFile), a directory otherwise (SaveDir).
func Save(s pipeline.Stage, path string, opts *Options) error {
	if IsFile(path) {
		return SaveFile(s, path, opts)
	}
	return SaveDir(s, path, opts)
}

// fileSink receives the files of a saved stage, by slash-separated
// relative name.
type fileSink interface {
	put(name string, data []byte) error
}

// encode writes stage s and its children under prefix ("" or
// "stages/00-kind/").
func encode(sink fileSink, s pipeline.Stage, prefix string, opts *Options, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("stage %q: stages nested deeper than %d", s.Kind(), maxDepth)
	}
	if _, err := opts.env().Lookup(s.Kind()); err != nil {
		return fmt.Errorf("stage %q: kind not registered, so it could not be loaded: %w", s.Kind(), err)
	}
	typ, err := registry.TypeOf(s)
	if err != nil {
		return err
	}
	meta := &Metadata{
		FormatVersion: FormatVersion,
		EddyVersion:   opts.eddyVersion(),
		Kind:          s.Kind(),
		Type:          string(typ),
		Timestamp:     opts.now(),
		Params:        map[string]any{},
	}
	if ps := s.Params(); ps != nil {
		meta.Params = ps.Values()
	}
	var children []pipeline.Stage
	if c, ok := s.(pipeline.Composite); ok {
		children = c.Children()
		for i, ch := range children {
			meta.Stages = append(meta.Stages, StageDir(i, ch.Kind()))
		}
	}
	var datas [][]byte
	if m, ok := s.(pipeline.Model); ok {
		recs := m.ModelData()
		for i, rec := range recs {
			var buf bytes.Buffer
			if err == nil {
				err = writeIPC(&buf, rec, opts.mem())
				if err != nil {
					err = fmt.Errorf("stage %q: model data record %d: %w", s.Kind(), i, err)
				}
			}
			rec.Release()
			sum := sha256.Sum256(buf.Bytes())
			datas = append(datas, buf.Bytes())
			meta.Data = append(meta.Data, DataFile{File: DataName(i), Size: int64(buf.Len()), SHA256: hex.EncodeToString(sum[:])})
		}
		if err != nil {
			return err
		}
	}
	b, err := meta.Encode()
	if err != nil {
		return err
	}
	if err := sink.put(prefix+MetadataFile, b); err != nil {
		return err
	}
	for i, d := range datas {
		if err := sink.put(prefix+DataName(i), d); err != nil {
			return err
		}
	}
	for i, ch := range children {
		if err := encode(sink, ch, prefix+meta.Stages[i]+"/", opts, depth+1); err != nil {
			return fmt.Errorf("stage %d: %w", i, err)
		}
	}
	return nil
}

func writeIPC(w io.Writer, rec arrow.Record, mem memory.Allocator) error {
	fw, err := ipc.NewFileWriter(&posWriter{w: w}, ipc.WithSchema(rec.Schema()), ipc.WithAllocator(mem))
	if err != nil {
		return err
	}
	if err := fw.Write(rec); err != nil {
		fw.Close()
		return err
	}
	return fw.Close()
}

// SaveDir writes s to the directory dir: dir/metadata.json, the model
// data as dir/data-N.arrow, and each child stage of a pipeline in
// dir/stages/NN-kind/ with the same layout. The directory is written
// under a temporary name beside dir, synced, and renamed into place, so
// dir is either absent, the old content or the whole new content. An
// existing dir is an error unless opts.Overwrite.
func SaveDir(s pipeline.Stage, dir string, opts *Options) (err error) {
	dir = filepath.Clean(dir)
	if _, err := os.Lstat(dir); err == nil && (opts == nil || !opts.Overwrite) {
		return fmt.Errorf("save %s: already exists (set Overwrite to replace it)", dir)
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	sink := &dirSink{root: tmp, dirs: map[string]bool{}}
	if err := encode(sink, s, "", opts, 0); err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	if err := sink.syncDirs(); err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	if err := replaceDir(tmp, dir); err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	return syncDir(parent)
}

// replaceDir renames tmp to dir, moving an existing dir aside first and
// removing it after.
func replaceDir(tmp, dir string) error {
	if _, err := os.Lstat(dir); err != nil {
		return os.Rename(tmp, dir)
	}
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return errors.Join(err, os.Rename(old, dir))
	}
	return os.RemoveAll(old)
}

type dirSink struct {
	root string
	dirs map[string]bool // directories made, to sync at the end
}

func (d *dirSink) put(name string, data []byte) error {
	path := filepath.Join(d.root, filepath.FromSlash(name))
	dir := filepath.Dir(path)
	if !d.dirs[dir] {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		d.dirs[dir] = true
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", name, err)
	}
	return f.Close()
}

func (d *dirSink) syncDirs() error {
	d.dirs[d.root] = true
	for dir := range d.dirs {
		if err := syncDir(dir); err != nil {
			return err
		}
	}
	return nil
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	return errors.Join(err, f.Close())
}

// SaveFile writes s to a single file: an uncompressed POSIX tar archive
// holding the SaveDir layout, with paths relative to the stage's
// directory (metadata.json first). It is written to a temporary file
// beside path, synced and renamed over path. An existing file is an error
// unless opts.Overwrite.
func SaveFile(s pipeline.Stage, path string, opts *Options) (err error) {
	if _, err := os.Lstat(path); err == nil && (opts == nil || !opts.Overwrite) {
		return fmt.Errorf("save %s: already exists (set Overwrite to replace it)", path)
	}
	parent := filepath.Dir(path)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	f, err := os.CreateTemp(parent, "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	sink := &tarSink{tw: tar.NewWriter(f), mtime: opts.now(), dirs: map[string]bool{}}
	if err := encode(sink, s, "", opts, 0); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	if err := sink.tw.Close(); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	return syncDir(parent)
}

type tarSink struct {
	tw    *tar.Writer
	mtime time.Time
	dirs  map[string]bool
}

func (t *tarSink) put(name string, data []byte) error {
	// Directory entries, so that `tar x` makes the SaveDir layout.
	for i := 0; i < len(name); i++ {
		if name[i] != '/' || t.dirs[name[:i+1]] {
			continue
		}
		d := name[:i+1]
		t.dirs[d] = true
		if err := t.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d, Mode: 0o755, ModTime: t.mtime, Format: tar.FormatPAX}); err != nil {
			return err
		}
	}
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: t.mtime, Format: tar.FormatPAX}
	if err := t.tw.WriteHeader(hdr); err != nil {
		return err
	}
	_, err := t.tw.Write(data)
	return err
}

// posWriter is the io.WriteSeeker ipc.FileWriter asks for: it only ever
// asks for the current position.
type posWriter struct {
	w   io.Writer
	pos int64
}

func (p *posWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.pos += int64(n)
	return n, err
}

func (p *posWriter) Seek(offset int64, whence int) (int64, error) {
	if offset != 0 || whence != io.SeekCurrent {
		return 0, errors.New("seek not supported")
	}
	return p.pos, nil
}
