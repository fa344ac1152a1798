# conf/: build rules (empty until its issue lands).
