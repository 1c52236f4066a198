package kernel

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Spec is a Jupyter kernelspec (kernel.json).
type Spec struct {
	Argv          []string       `json:"argv"`
	DisplayName   string         `json:"display_name"`
	Language      string         `json:"language"`
	InterruptMode string         `json:"interrupt_mode,omitempty"`
	Metadata      map[string]any `json:"metadata,omitempty"`
}

// DefaultName is the kernelspec name: jupyter --kernel=eddy.
const DefaultName = "eddy"

// NewSpec returns the kernelspec that launches exe (the eddy binary, an
// absolute path) as `exe kernel --connection-file {connection_file}`.
// Interrupts come as messages on the control socket.
func NewSpec(exe string) Spec {
	return Spec{
		Argv:          []string{exe, "kernel", "--connection-file", "{connection_file}"},
		DisplayName:   "Eddy (gpython)",
		Language:      "python",
		InterruptMode: "message",
	}
}

// InstallSpec writes spec as dataDir/kernels/name/kernel.json, dataDir
// being a Jupyter data directory (on Jupyter's path: see UserDataDir and
// PrefixDataDir), and returns the kernel directory.
func InstallSpec(dataDir, name string, spec Spec) (string, error) {
	if name == "" || filepath.Base(name) != name || name == "." || name == ".." {
		return "", fmt.Errorf("install kernelspec: bad kernel name %q", name)
	}
	dir := filepath.Join(dataDir, "kernels", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("install kernelspec: %w", err)
	}
	data, err := json.MarshalIndent(spec, "", " ")
	if err != nil {
		return "", fmt.Errorf("install kernelspec: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".kernel-*.json")
	if err != nil {
		return "", fmt.Errorf("install kernelspec: %w", err)
	}
	_, werr := tmp.Write(append(data, '\n'))
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), filepath.Join(dir, "kernel.json"))
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("install kernelspec: %w", werr)
	}
	return dir, nil
}

// UserDataDir returns Jupyter's per-user data directory:
// $JUPYTER_DATA_DIR, else ~/Library/Jupyter on macOS, %APPDATA%\jupyter
// on Windows, $XDG_DATA_HOME/jupyter or ~/.local/share/jupyter elsewhere.
func UserDataDir() (string, error) {
	if d := os.Getenv("JUPYTER_DATA_DIR"); d != "" {
		return d, nil
	}
	switch runtime.GOOS {
	case "darwin":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("jupyter data dir: %w", err)
		}
		return filepath.Join(home, "Library", "Jupyter"), nil
	case "windows":
		if d := os.Getenv("APPDATA"); d != "" {
			return filepath.Join(d, "jupyter"), nil
		}
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "jupyter"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("jupyter data dir: %w", err)
	}
	return filepath.Join(home, ".local", "share", "jupyter"), nil
}

// PrefixDataDir is the data directory of an installation prefix
// (PREFIX/share/jupyter), as `jupyter kernelspec install --prefix`.
func PrefixDataDir(prefix string) string { return filepath.Join(prefix, "share", "jupyter") }
