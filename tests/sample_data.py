"""A four-code codebook and a four-turn transcript that tests work out by hand."""

SMALL_CODEBOOK = """
codes:
  - name: Trust
    colour: "#80b1d3"
    definition: Confidence between people and organisations.
    children:
      - name: Between sectors
        definition: Trust between general practice and the voluntary sector.
      - name: Patient trust
  - name: Time and resources
    children:
      - name: Workload and capacity
"""

SMALL_TRANSCRIPT = (
    "Interviewer: How did the link with the charity start?\n"
    "P01: We met them at a PCN event. I trusted them from the start.\n"
    "Interviewer: And the workload?\n"
    "P01: Honestly we are stretched 🙂 every single week."
)


def team(session, name: str):
    """A project owned by olivia with ana and ben as coders: (project, {name: user})."""
    from workbench.services import projects

    users = {"olivia": projects.get_or_create_user(session, "olivia")}
    project = projects.create_project(session, name, users["olivia"])
    for coder in ("ana", "ben"):
        users[coder] = projects.get_or_create_user(session, coder)
        projects.add_member(session, project, users[coder], "coder")
    return project, users
