"""Backup benchmark (issue 20): `manage.py backup` and `manage.py restore` of 1,000,000
declarations on PostgreSQL, against plain pg_dump / pg_restore of the same database in the
same run.

    .venv/bin/python bench/backup.py [--size 1000000] [--reuse] [--keep] [--jobs 2]
        [--media-files 1000] [--media-kb 100]

The database is seeded as bench/reporting.py does it (imported, not copied): 100k declarations
by `seed_demo` (~3-10 minutes), 1M as that history and nine time-shifted copies of it in SQL
(`seed_by_copies`, a few minutes more). `--keep` leaves `customs_bench_backup_100k` (and
`_1m`) behind, `--reuse` starts from them. MEDIA_ROOT is a temporary folder with the demo's
C/O file and `--media-files` documents of `--media-kb` KB each (incompressible bytes).

Measured, each once, in this order, every command a subprocess as an operator runs it:
1. baseline: `pg_dump --format=custom` of the database to a file (deleted at once);
2. `manage.py backup --output DIR` (pg_dump in one snapshot with the row counts, the media
   copied and hashed, the dump hashed, the manifest): time, dump size, media size;
3. baseline: `pg_restore --no-owner --jobs N` of that dump into a fresh database;
4. `manage.py restore DIR --database-url ... --media-root ... --jobs N` into another fresh
   database (checksums verified first, row counts compared after).
Needs PostgreSQL on 127.0.0.1. Not a test: nothing here asserts a time.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PYTHON, ROOT, bench_env, database_exists, psql  # noqa: E402
from bench.reporting import seed, seed_by_copies, use_database  # noqa: E402

SOURCE_SIZE = 100_000
RESTORED = "customs_bench_backup_restored"


def database_name(size: int) -> str:
    return f"customs_bench_backup_{size // 1000}k" if size < 1_000_000 else \
        f"customs_bench_backup_{size // 1_000_000}m"


def seeded(size: int, *, reuse: bool) -> tuple[str, float | None, list[str]]:
    """The bench database of `size` declarations (and the databases seeded on the way)."""
    database = database_name(size)
    if reuse and database_exists(database):
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT,
                       env=bench_env(database), check=True)
        return database, None, []
    started = time.perf_counter()
    made = [database]
    if size > SOURCE_SIZE and size % SOURCE_SIZE == 0:
        source = database_name(SOURCE_SIZE)
        if not (reuse and database_exists(source)):
            print(f"seeding {SOURCE_SIZE:,} declarations into {source} (seed_demo) ...",
                  flush=True)
            seed(SOURCE_SIZE, source)
            made.append(source)
        print(f"seeding {size:,} declarations into {database} as copies of {source} ...",
              flush=True)
        seed_by_copies(size, database, source, SOURCE_SIZE)
    else:
        print(f"seeding {size:,} declarations into {database} (seed_demo) ...", flush=True)
        seed(size, database)
    return database, time.perf_counter() - started, made


def media_fill(root: Path, *, files: int, kilobytes: int) -> int:
    """`files` PDF-headed documents of random bytes under root/declarations/; their bytes."""
    written = 0
    for n in range(files):
        path = root / "declarations" / str(n // 100) / "invoice" / f"invoice-{n}.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        content = b"%PDF-1.4\n" + os.urandom(kilobytes * 1024)
        path.write_bytes(content)
        written += len(content)
    return written


def timed(command: list[str], *, env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdin=subprocess.DEVNULL)
    return time.perf_counter() - started


def fresh(database: str) -> None:
    psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)", f"CREATE DATABASE {database}")


def folder_bytes(root: Path) -> int:
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="declarations")
    parser.add_argument("--reuse", action="store_true", help="start from the seeded database")
    parser.add_argument("--keep", action="store_true", help="leave the seeded database(s)")
    parser.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1),
                        help="pg_restore workers, for the baseline and restore alike")
    parser.add_argument("--media-files", type=int, default=1000)
    parser.add_argument("--media-kb", type=int, default=100)
    args = parser.parse_args()

    database = database_name(args.size)
    os.environ.update(bench_env(database))
    import django

    django.setup()
    work = Path(tempfile.mkdtemp(prefix="bench-backup-"))
    made: list[str] = []
    try:
        database, seeding, made = seeded(args.size, reuse=args.reuse)
        use_database(database)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM declarations_declaration")
            declarations = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM declarations_declarationevent")
            events = cursor.fetchone()[0]
            cursor.execute("SELECT pg_database_size(current_database())")
            on_disk = cursor.fetchone()[0]
        connection.close()
        media = work / "media"
        media.mkdir()
        from declarations.demo import DEMO_CO_FILE

        (media / DEMO_CO_FILE).parent.mkdir(parents=True)
        (media / DEMO_CO_FILE).write_bytes(b"%PDF-1.4\n% demo C/O form E\n%%EOF\n")
        media_fill(media, files=args.media_files, kilobytes=args.media_kb)
        env = bench_env(database, MEDIA_ROOT=str(media), PGHOST="127.0.0.1", PGUSER="postgres")
        seeded_text = f", seeded in {seeding / 60:.1f} min" if seeding else ", reused"
        print(f"\n== {declarations:,} declarations, {events:,} events, database "
              f"{on_disk / 2**30:.2f} GiB on disk ({database}{seeded_text}); media "
              f"{folder_bytes(media) / 2**20:.0f} MiB in {args.media_files + 1:,} files",
              flush=True)

        dump_baseline = timed(["pg_dump", "--format=custom", f"--file={work / 'plain.dump'}",
                               database], env=env)
        (work / "plain.dump").unlink()
        print(f"pg_dump -Fc to a file (baseline):    {dump_baseline:7.1f} s", flush=True)
        backup_seconds = timed([PYTHON, "manage.py", "backup", "--output", str(work / "b")],
                               env=env)
        dump = work / "b" / "database.dump"
        print(f"manage.py backup:                    {backup_seconds:7.1f} s "
              f"({backup_seconds / dump_baseline:.2f}x the pg_dump)", flush=True)

        fresh(RESTORED)
        restore_baseline = timed(["pg_restore", "--no-owner", "--exit-on-error",
                                  f"--jobs={args.jobs}", "--dbname", RESTORED, str(dump)],
                                 env=env)
        print(f"pg_restore -j{args.jobs} (baseline):             {restore_baseline:7.1f} s",
              flush=True)
        fresh(RESTORED)
        restore_seconds = timed([PYTHON, "manage.py", "restore", str(work / "b"),
                                 "--database-url",
                                 f"postgres://postgres@127.0.0.1:5432/{RESTORED}",
                                 "--media-root", str(work / "restored-media"),
                                 f"--jobs={args.jobs}", "-v0"], env=env)
        print(f"manage.py restore:                   {restore_seconds:7.1f} s "
              f"({restore_seconds / restore_baseline:.2f}x the pg_restore)", flush=True)

        print("\n==================== summary ====================")
        print(f"{declarations:,} declarations ({events:,} events): dump "
              f"{dump.stat().st_size / 2**20:.0f} MiB ({on_disk / 2**20:.0f} MiB in the "
              f"database), media {folder_bytes(work / 'b' / 'media') / 2**20:.0f} MiB")
        print(f"backup  {backup_seconds:7.1f} s against pg_dump -Fc {dump_baseline:7.1f} s: "
              f"{backup_seconds / dump_baseline:.2f}x")
        print(f"restore {restore_seconds:7.1f} s against pg_restore -j{args.jobs} "
              f"{restore_baseline:7.1f} s: {restore_seconds / restore_baseline:.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        psql(f"DROP DATABASE IF EXISTS {RESTORED} WITH (FORCE)")
        if not args.keep:
            for name in {database, *made}:
                psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    main()
