from athena_om.sandbox.openmetadata_server.server import main

main()
