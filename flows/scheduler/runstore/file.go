package runstore

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// FileStore keeps each run in an append-only log file DIR/ID.log. Every
// Append writes one line "CRC32 JSON-ARRAY\n" and fsyncs it, so a batch
// of records is all there or, torn by a crash, dropped on read (and cut
// off before the next append). The first record names the flow.
type FileStore struct {
	dir string
	mu  sync.Mutex
	// files are the logs open for append.
	files map[string]*os.File
	// flows caches the flow of each run.
	flows map[string]string
}

var _ Store = (*FileStore)(nil)

const logExt = ".log"

// OpenDir opens (creating) a file run store in dir.
func OpenDir(dir string) (*FileStore, error) {
	if dir == "" {
		return nil, errors.New("run store: empty state directory")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("run store: %w", err)
	}
	return &FileStore{dir: dir, files: map[string]*os.File{}, flows: map[string]string{}}, nil
}

// Dir returns the store's directory.
func (s *FileStore) Dir() string { return s.dir }

func (s *FileStore) path(id string) string { return filepath.Join(s.dir, id+logExt) }

func encodeBatch(recs []Record) ([]byte, error) {
	data, err := json.Marshal(recs)
	if err != nil {
		return nil, err
	}
	line := fmt.Appendf(nil, "%08x ", crc32.ChecksumIEEE(data))
	line = append(line, data...)
	return append(line, '\n'), nil
}

// decodeLog returns the records of the complete, intact lines and the
// byte length they span.
func decodeLog(r io.Reader) ([]Record, int64, error) {
	br := bufio.NewReader(r)
	var out []Record
	var good int64
	for {
		line, err := br.ReadBytes('\n')
		if err == io.EOF {
			return out, good, nil // a torn last line has no newline
		}
		if err != nil {
			return nil, 0, err
		}
		body := bytes.TrimSuffix(line, []byte("\n"))
		sum, data, ok := bytes.Cut(body, []byte(" "))
		var want uint32
		if !ok || len(sum) != 8 {
			return out, good, nil
		}
		if _, err := fmt.Sscanf(string(sum), "%08x", &want); err != nil || crc32.ChecksumIEEE(data) != want {
			return out, good, nil
		}
		var recs []Record
		if err := json.Unmarshal(data, &recs); err != nil {
			return out, good, nil
		}
		out = append(out, recs...)
		good += int64(len(line))
	}
}

// Create implements Store.
func (s *FileStore) Create(ctx context.Context, flow, id string, recs []Record) error {
	if err := checkID(id); err != nil {
		return err
	}
	line, err := encodeBatch(recs)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.OpenFile(s.path(id), os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("run store: create run %s: %w", id, err)
	}
	if _, err := f.Write(line); err != nil {
		f.Close()
		return fmt.Errorf("run store: create run %s: %w", id, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("run store: create run %s: %w", id, err)
	}
	if d, err := os.Open(s.dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	s.files[id] = f
	s.flows[id] = flow
	return nil
}

// openAppend opens a run's log for append, cutting off a torn tail.
func (s *FileStore) openAppend(id string) (*os.File, error) {
	if f := s.files[id]; f != nil {
		return f, nil
	}
	f, err := os.OpenFile(s.path(id), os.O_RDWR, 0o644)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("run store: %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("run store: %w", err)
	}
	_, good, err := decodeLog(f)
	if err == nil {
		err = f.Truncate(good)
	}
	if err == nil {
		_, err = f.Seek(good, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("run store: %s: %w", id, err)
	}
	s.files[id] = f
	return f, nil
}

// Append implements Store: one line, fsynced.
func (s *FileStore) Append(ctx context.Context, id string, recs ...Record) error {
	if len(recs) == 0 {
		return nil
	}
	if err := checkID(id); err != nil {
		return err
	}
	line, err := encodeBatch(recs)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.openAppend(id)
	if err != nil {
		return err
	}
	if _, err := f.Write(line); err != nil {
		return fmt.Errorf("run store: append to %s: %w", id, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("run store: append to %s: %w", id, err)
	}
	return nil
}

// Records implements Store.
func (s *FileStore) Records(ctx context.Context, id string) ([]Record, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	f, err := os.Open(s.path(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("run store: %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("run store: %w", err)
	}
	defer f.Close()
	recs, _, err := decodeLog(f)
	if err != nil {
		return nil, fmt.Errorf("run store: %s: %w", id, err)
	}
	return recs, nil
}

// Runs implements Store.
func (s *FileStore) Runs(ctx context.Context, flow string) ([]string, error) {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("run store: %w", err)
	}
	var ids []string
	for _, e := range ents {
		id, ok := strings.CutSuffix(e.Name(), logExt)
		if !ok || e.IsDir() {
			continue
		}
		if flow != "" {
			s.mu.Lock()
			fl, known := s.flows[id]
			s.mu.Unlock()
			if !known {
				recs, err := s.Records(ctx, id)
				if err != nil || len(recs) == 0 {
					continue
				}
				fl = recs[0].Flow
				s.mu.Lock()
				s.flows[id] = fl
				s.mu.Unlock()
			}
			if fl != flow {
				continue
			}
		}
		ids = append(ids, id)
	}
	return sortIDs(ids), nil
}

// Close implements Store.
func (s *FileStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for id, f := range s.files {
		errs = append(errs, f.Close())
		delete(s.files, id)
	}
	return errors.Join(errs...)
}
