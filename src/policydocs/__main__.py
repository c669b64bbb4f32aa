from policydocs.cli import main

main()
