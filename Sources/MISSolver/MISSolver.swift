// The MISSolver module; see Docs/.
