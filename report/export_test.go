package report

// SetSpoolChunk sets the bytes of encoded findings a spool holds before it
// writes them as a run, and returns a function that restores it.
func SetSpoolChunk(n int) (restore func()) {
	old := chunkSize
	chunkSize = n
	return func() { chunkSize = old }
}

// SpoolRuns returns the sorted runs of findings in the spool's file.
func SpoolRuns(sp *Spool) int { return len(sp.runs) }

// SpooledFindings returns the findings given to the spool.
func SpooledFindings(sp *Spool) int { return sp.nSpooled }
