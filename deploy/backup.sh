#!/bin/sh
# The nightly backup (deploy/workbench-backup.timer): the database to one dated file, and a copy of
# the fine-tuned models, which live as folders under the instance, not in the database. Backups older
# than WORKBENCH_BACKUP_KEEP_DAYS days are removed. To run one now: systemctl start workbench-backup
set -eu
to=${WORKBENCH_BACKUP_DIR:-/var/backups/workbench}
keep=${WORKBENCH_BACKUP_KEEP_DAYS:-14}
workbench=${WORKBENCH_BIN:-/opt/workbench/.venv/bin/workbench}
mkdir -p "$to"
"$workbench" backup -o "$to/workbench-$(date +%F).backup"
models="${WORKBENCH_INSTANCE:-/var/lib/workbench}/models"
if [ -d "$models" ]; then
  # A fresh copy, swapped in whole: a version deleted since the last night leaves the copy too.
  rm -rf "$to/models.new"
  cp -a "$models" "$to/models.new"
  rm -rf "$to/models"
  mv "$to/models.new" "$to/models"
fi
find "$to" -maxdepth 1 -name 'workbench-*.backup' -mtime +"$keep" -delete
echo "Backed up to $to (kept: $(find "$to" -maxdepth 1 -name 'workbench-*.backup' | wc -l) daily file(s))."
