from sesflow._cli._demo import main  # `sesflow demo`; the walkthrough is in that module

main()
