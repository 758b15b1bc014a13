def seed_web_answers():
    """placeholder"""
