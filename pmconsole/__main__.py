from pmconsole.cli import main

main()
