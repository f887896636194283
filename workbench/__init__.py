"""workbench: code qualitative interview transcripts as a team."""
