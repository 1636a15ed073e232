package keys

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// EnvVar names the environment variable FromEnv reads.
const EnvVar = "MIKEYSCOPE_KEYS"

// maxLine bounds one line of a keys file.
const maxLine = 64 << 10

// PublicMarker, as a line of a keys file, says that its keys are published
// test values (the bundled samples'): ParseFile does not warn that others
// can read it.
const PublicMarker = "# mikeyscope: public test keys"

// ParseFile reads a keys file. It warns when the file is readable by group
// or others (unless it carries PublicMarker). Errors name the file and line
// ("keys.txt:3: psk: ...").
func ParseFile(path string) (*Store, []Warning, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	data, err := readFileLimited(path)
	if err != nil {
		return nil, nil, err
	}
	var warns []Warning
	if perm := info.Mode().Perm(); perm&0o077 != 0 && !hasPublicMarker(data) {
		warns = append(warns, Warning{Source: path, Text: fmt.Sprintf("keys file is accessible by group or others (mode %04o); chmod 600 it", perm)})
	}
	s, w, err := Parse(data, path, filepath.Dir(path))
	return s, append(warns, w...), err
}

// Parse parses keys file content; name prefixes sources and errors, and
// baseDir resolves relative paths.
func Parse(data []byte, name, baseDir string) (*Store, []Warning, error) {
	p := parser{store: &Store{}, readFile: readFileLimited}
	err := p.parseLines(data, name, baseDir)
	return p.store, p.warnings, err
}

// parseLines parses every line; it stops at the first error.
func (p *parser) parseLines(data []byte, name, baseDir string) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	line := 0
	for sc.Scan() {
		line++
		source := name + ":" + strconv.Itoa(line)
		kind, value, ok := splitEntry(sc.Text())
		if !ok {
			continue
		}
		if err := p.add(kind, value, source, baseDir); err != nil {
			return fmt.Errorf("%s: %w", source, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	return nil
}

// splitEntry strips a comment ('#' at the start or after blank space) and
// splits "kind value". ok is false for a blank or comment line.
func splitEntry(line string) (kind, value string, ok bool) {
	for i := 0; i < len(line); i++ {
		if line[i] == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t') {
			line = line[:i]
			break
		}
	}
	line = strings.TrimSpace(line)
	if line == "" {
		return "", "", false
	}
	i := strings.IndexAny(line, " \t")
	if i < 0 {
		return line, "", true
	}
	return line[:i], strings.TrimSpace(line[i+1:]), true
}

// FromEnv reads the keys file named by MIKEYSCOPE_KEYS. It returns an
// empty store when the variable is unset or empty.
func FromEnv() (*Store, []Warning, error) {
	path := os.Getenv(EnvVar)
	if path == "" {
		return &Store{}, nil, nil
	}
	s, w, err := ParseFile(path)
	if err != nil {
		return nil, w, fmt.Errorf("%s=%s: %w", EnvVar, path, err)
	}
	return s, w, nil
}

// hasPublicMarker reports whether a line of data is exactly PublicMarker.
func hasPublicMarker(data []byte) bool {
	for line := range bytes.Lines(data) {
		if string(bytes.TrimRight(line, "\r\n")) == PublicMarker {
			return true
		}
	}
	return false
}
