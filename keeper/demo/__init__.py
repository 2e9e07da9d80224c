"""The main job, end to end on a local chain the demo starts and stops itself."""
