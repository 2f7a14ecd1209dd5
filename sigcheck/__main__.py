from sigcheck.cli import console

console()
