package modelstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/modelio"
)

// PutStage saves s (a fitted model or pipeline) with modelio.SaveFile to
// a temporary .tar file and streams it into c as a new version of name.
func PutStage(ctx context.Context, c Creator, name string, s pipeline.Stage, info Info, opts *modelio.Options) (Version, error) {
	dir, err := os.MkdirTemp("", "eddy-modelstore-")
	if err != nil {
		return Version{}, fmt.Errorf("put stage %q: %w", name, err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.tar")
	if err := modelio.SaveFile(s, path, opts); err != nil {
		return Version{}, fmt.Errorf("put stage %q: %w", name, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return Version{}, fmt.Errorf("put stage %q: %w", name, err)
	}
	defer f.Close()
	return c.Create(ctx, name, f, info)
}

// LoadStage copies a version's blob to a temporary .tar file (verifying
// its checksum) and loads it with modelio.Load.
func LoadStage(ctx context.Context, g Getter, name string, version int64, opts *modelio.Options) (pipeline.Stage, error) {
	r, err := g.OpenBlob(ctx, name, version)
	if err != nil {
		return nil, fmt.Errorf("load stage: %w", err)
	}
	defer r.Close()
	dir, err := os.MkdirTemp("", "eddy-modelstore-")
	if err != nil {
		return nil, fmt.Errorf("load stage: %w", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.tar")
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("load stage: %w", err)
	}
	_, err = io.Copy(f, r)
	if err = errors.Join(err, f.Close()); err != nil {
		return nil, fmt.Errorf("load stage: model %q version %d: %w", name, version, err)
	}
	s, err := modelio.Load(path, opts)
	if err != nil {
		return nil, fmt.Errorf("load stage: model %q version %d: %w", name, version, err)
	}
	return s, nil
}
